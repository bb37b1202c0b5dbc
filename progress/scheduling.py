"""Spaced review with FSRS: every grade is a review; the log is the source of truth. A new
grade applies one FSRS step to the stored card, which is what replaying the log would give;
changing a grade later replays the log from the entry before it on (each entry keeps the card
as FSRS left it), so it reschedules the question at a cost that does not grow with the log."""

import zoneinfo
from datetime import datetime

from django.db import connection
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from fsrs import Card, Rating, Scheduler, State

from accounts.models import Profile
from interviewprep import cache_versions
from progress.models import ActivityDay, KeyPointMiss, ReviewCard, ReviewLogEntry
from questions.models import suspended_by
from sessions.grading import MISMATCH
from sessions.models import FinishState, SessionQuestion, ShownKeyPoint

# No fuzzing: a card rebuilt from the same log must land on the same schedule.
SCHEDULER = Scheduler(enable_fuzzing=False)
# The columns to_fsrs() reads, for queries that load only those.
FSRS_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")
# The card after a review, as each log entry keeps it (its last_review is the entry's time).
AFTER_FIELDS = ("state_after", "step_after", "stability_after", "difficulty_after", "due_after")


def to_fsrs(card: ReviewCard) -> Card:
    return Card(
        card_id=card.pk,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def retrievability(card: ReviewCard, when: datetime) -> float:
    """The predicted chance of recalling the card's question at `when`."""
    if card.last_review is None:
        return 0.0
    return SCHEDULER.get_card_retrievability(to_fsrs(card), when)


def _step_through(card: Card, reviews: list[dict]) -> Card:
    """`card` with `reviews` (rating, review_datetime; in the log's order) applied one FSRS
    step each; each review gets the card after it, in AFTER_FIELDS."""
    for review in reviews:
        card, _ = SCHEDULER.review_card(card, Rating(review["rating"]), review["review_datetime"])
        review.update(
            state_after=card.state.value,
            step_after=card.step,
            stability_after=card.stability,
            difficulty_after=card.difficulty,
            due_after=card.due,
        )
    return card


def _card_after(card_id: int, entry: dict) -> Card | None:
    """The card as `entry` keeps it after its review; None if no replay has reached it yet."""
    if entry["state_after"] is None:
        return None
    return Card(
        card_id=card_id,
        state=State(entry["state_after"]),
        step=entry["step_after"],
        stability=entry["stability_after"],
        difficulty=entry["difficulty_after"],
        due=entry["due_after"],
        last_review=entry["review_datetime"],
    )


def _store_after(reviews: list[dict]) -> None:
    """Write the card after each of `reviews` (stepped by _step_through) into its entry: one
    UPDATE per entry, sent as one batch (bulk_update's CASE per column costs ~100 times as
    much to build)."""
    if not reviews:
        return
    meta, quote = ReviewLogEntry._meta, connection.ops.quote_name
    columns = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in AFTER_FIELDS)
    due = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s",
            [
                [
                    *(review[name] for name in AFTER_FIELDS[:-1]),
                    due(review["due_after"]),
                    review["pk"],
                ]
                for review in reviews
            ],
        )


def _schedule_fields(rebuilt: Card) -> dict:
    return {
        "state": rebuilt.state.value,
        "step": rebuilt.step,
        "stability": rebuilt.stability,
        "difficulty": rebuilt.difficulty,
        "due": rebuilt.due,
        "last_review": rebuilt.last_review,
    }


def _log_totals(reviews: list[dict]) -> dict:
    """The card's totals (see ReviewCard) over the same rows the replay read."""
    return {
        "reviews": len(reviews),
        "rating_sum": sum(review["rating"] for review in reviews),
        "covered_sum": sum(review["covered_count"] for review in reviews),
        "key_point_sum": sum(review["key_point_count"] for review in reviews),
        "timed_out": sum(1 for review in reviews if review["timed_out"]),
    }


# The log's order: by time, and entries of the same moment in the order they were written.
LOG_ORDER = ("review_datetime", "pk")
CARD_FIELDS = [
    *("state", "step", "stability", "difficulty", "due", "last_review"),
    *("reviews", "rating_sum", "covered_sum", "key_point_sum", "timed_out"),
]


def rebuild_card(card: ReviewCard) -> ReviewCard:
    """Replay the card's whole log into a fresh FSRS card, keeping the card after each entry
    in the entry, and recount the card's totals and key points."""
    reviews = list(
        card.log.order_by(*LOG_ORDER).values(
            "pk", "rating", "review_datetime", "covered_count", "key_point_count", "timed_out"
        )
    )
    rebuilt = _step_through(Card(card_id=card.pk, due=card.due), reviews)
    _store_after(reviews)
    for name, value in {**_schedule_fields(rebuilt), **_log_totals(reviews)}.items():
        setattr(card, name, value)
    card.save()
    _refresh_key_point_misses(card.pk)
    return card


# Per key point text of a card's graded answers: shown and not covered, and the detector's
# suggestions kept or not (sessions.feedback.suggestions.AGREEMENT, "missed" there being
# ticked_unsuggested here).
KEY_POINT_COUNTS = {
    "shown": Count("pk"),
    "missed": Count("pk", filter=Q(covered=False)),
    "accepted": Count("pk", filter=Q(suggested=True, covered=True)),
    "rejected": Count("pk", filter=Q(suggested=True, covered=False)),
    "ticked_unsuggested": Count("pk", filter=Q(suggested=False, covered=True)),
    "agreed": Count("pk", filter=Q(suggested=F("covered"))),
    "decided": Count("pk", filter=Q(suggested__isnull=False)),
}


def _refresh_key_point_misses(card_id: int) -> None:
    """Recount the card's key points. A card's shown key points are snapshots kept as long
    as its log, so their texts only ever grow: an upsert replaces every count."""
    rows = (
        ShownKeyPoint.objects.filter(item__review__card_id=card_id)
        .values("text")
        .annotate(**KEY_POINT_COUNTS)
    )
    _upsert_key_points(card_id, rows)


def _upsert_key_points(card_id: int, rows) -> None:
    KeyPointMiss.objects.bulk_create(
        [KeyPointMiss(card_id=card_id, **row) for row in rows],
        update_conflicts=True,
        unique_fields=["card", "text"],
        update_fields=list(KEY_POINT_COUNTS),
    )


def lock_schedule(user_id: int) -> zoneinfo.ZoneInfo:
    """Take the user's profile row until the transaction ends, and return their time zone.

    A user's grades are thus recorded one at a time: each one reads a log that holds every
    grade committed before it, so two grades landing at once (two tabs, two answers of one
    day) neither rebuild a card from a stale log nor write stale totals for the day."""
    profile, _ = Profile.objects.select_for_update().get_or_create(user_id=user_id)
    return profile.zone


def record_review(
    item: SessionQuestion,
    now: datetime,
    *,
    covered: int,
    key_points: int,
    counted_before: dict[str, dict] | None = None,
) -> None:
    """Log a grade (or a changed grade) and reschedule the question for its user: one upsert
    each for the card, the log entry, its missed key points and the day's totals. Runs in
    the grade's transaction.

    A new grade costs the same whatever the history: one FSRS step on the stored card, and
    its figures added to the card's totals and missed key points. So does a changed grade
    (or one dated before the card's last review): the card is replayed from the card kept
    in the log entry before it, through the entries after it (none when it is the latest),
    and the totals and key points move by the answer's old and new figures; a changed
    grade's key points as they were counted are `counted_before` (answer_key_points(),
    read before the ticks changed; without them, the card's key points are recounted)."""
    user_id = item.interview.user_id
    zone = lock_schedule(user_id)
    values = {
        "rating": item.self_rating,
        "covered_count": covered,
        "key_point_count": key_points,
        "timed_out": item.finish_state == FinishState.TIMED_OUT,
        "review_duration": None if item.time_used is None else item.time_used * 1000,
    }
    stored = (
        ReviewCard.objects.filter(user_id=user_id, question_id=item.question_id)
        .annotate(graded_before=Exists(ReviewLogEntry.objects.filter(item_id=item.pk)))
        .first()
    )
    later: list[dict] = []
    if stored is None or (
        not stored.graded_before and (stored.last_review is None or stored.last_review <= now)
    ):
        entry = {"review_datetime": now, "answered_on": now.astimezone(zone).date(), **values}
        card_id = 0 if stored is None else stored.pk
        start = Card(card_id=card_id, due=now) if stored is None else to_fsrs(stored)
        rebuilt = _step_through(start, [entry])
        totals = _add_review(stored, values)
    else:
        entry, rebuilt, totals, later = _replay_from(stored, item, now, zone, values)
    other_due = (
        ReviewCard.objects.filter(user_id=user_id)
        .exclude(question_id=item.question_id)
        .aggregate(first=Min("due"))["first"]
    )
    card = ReviewCard(
        user_id=user_id, question_id=item.question_id, **_schedule_fields(rebuilt), **totals
    )
    ReviewCard.objects.bulk_create(
        [card],
        update_conflicts=True,
        unique_fields=["user", "question"],
        update_fields=CARD_FIELDS,
    )
    ReviewLogEntry.objects.bulk_create(
        [
            ReviewLogEntry(
                item=item,
                card_id=card.pk,
                user_id=user_id,
                review_datetime=entry["review_datetime"],
                answered_on=entry["answered_on"],
                deck_next_due=rebuilt.due if other_due is None else min(other_due, rebuilt.due),
                **values,
                **{name: entry[name] for name in AFTER_FIELDS},
            )
        ],
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=[*values, "deck_next_due", *AFTER_FIELDS],
    )
    _store_after(later)
    if stored is None or not stored.graded_before:
        _add_key_point_misses(card.pk, item.pk)
    elif counted_before is None:
        _refresh_key_point_misses(card.pk)
    else:
        _move_key_point_misses(card.pk, item.pk, counted_before)
    _refresh_days(user_id, [entry["answered_on"]])
    cache_versions.bump_progress(user_id)


def _add_review(stored: ReviewCard | None, values: dict) -> dict:
    """The card's totals (see ReviewCard) with one more review of `values`."""
    return {
        "reviews": (stored.reviews if stored else 0) + 1,
        "rating_sum": (stored.rating_sum if stored else 0) + values["rating"],
        "covered_sum": (stored.covered_sum if stored else 0) + values["covered_count"],
        "key_point_sum": (stored.key_point_sum if stored else 0) + values["key_point_count"],
        "timed_out": (stored.timed_out if stored else 0) + values["timed_out"],
    }


def _move_review(stored: ReviewCard, old: dict, values: dict) -> dict:
    """The card's totals (see ReviewCard) with one review's `old` figures become `values`."""
    return {
        "reviews": stored.reviews,
        "rating_sum": stored.rating_sum - old["rating"] + values["rating"],
        "covered_sum": stored.covered_sum - old["covered_count"] + values["covered_count"],
        "key_point_sum": stored.key_point_sum - old["key_point_count"] + values["key_point_count"],
        "timed_out": stored.timed_out - old["timed_out"] + values["timed_out"],
    }


def _replay_from(stored: ReviewCard, item: SessionQuestion, now: datetime, zone, values: dict):
    """A changed grade (it keeps its entry's time and day), or a new one dated before the
    card's last review: the card kept in the entry before it, stepped through it and the
    entries after it. Returns the entry, the card, its totals and the later entries with
    the cards now after them. Reads three rows and the later entries, whatever the log's
    length; an entry before it that no replay has reached yet sends it back to the start."""
    log = ReviewLogEntry.objects.filter(card_id=stored.pk)
    old = log.filter(item_id=item.pk).values("pk", "review_datetime", "answered_on", *values)
    old = old.first()
    if old is None:
        entry = {"review_datetime": now, "answered_on": now.astimezone(zone).date()}
        totals = _add_review(stored, values)
        earlier, after = log.filter(review_datetime__lte=now), log.filter(review_datetime__gt=now)
    else:
        entry = {"review_datetime": old["review_datetime"], "answered_on": old["answered_on"]}
        totals = _move_review(stored, old, values)
        at, pk = old["review_datetime"], old["pk"]
        earlier = log.filter(review_datetime__lte=at).exclude(review_datetime=at, pk__gte=pk)
        after = log.filter(review_datetime__gte=at).exclude(review_datetime=at, pk__lte=pk)
    entry.update(values)
    latest_order = [f"-{name}" for name in LOG_ORDER]
    before = earlier.order_by(*latest_order).values("review_datetime", *AFTER_FIELDS).first()
    start = Card(card_id=stored.pk, due=now) if before is None else _card_after(stored.pk, before)
    replayed = []
    if start is None:
        replayed = list(earlier.order_by(*LOG_ORDER).values("pk", "rating", "review_datetime"))
        start = Card(card_id=stored.pk, due=now)
    later = list(after.order_by(*LOG_ORDER).values("pk", "rating", "review_datetime"))
    rebuilt = _step_through(start, [*replayed, entry, *later])
    return entry, rebuilt, totals, replayed + later


def answer_key_points(item_id: int) -> dict[str, dict]:
    """One answer's key points as its card counts them (KEY_POINT_COUNTS, per text). A changed
    grade reads them before its ticks change (engine.grade), under the answer's row lock
    that its UPDATE of the rating took: a second change of the same grade waits for the
    first to commit, then reads the ticks the first left."""
    rows = ShownKeyPoint.objects.filter(item_id=item_id).values("text").annotate(**KEY_POINT_COUNTS)
    return {row.pop("text"): row for row in rows}


def _add_key_point_misses(card_id: int, item_id: int) -> None:
    """Add one answer's key points to its card's counts: the same counts a recount would
    give (see _refresh_key_point_misses), read and written under the schedule's lock."""
    stored = KeyPointMiss.objects.filter(card_id=card_id, text=OuterRef("text"))
    rows = (
        ShownKeyPoint.objects.filter(item_id=item_id)
        .values("text")
        .annotate(
            **{
                name: count + Coalesce(Subquery(stored.values(name)[:1]), 0)
                for name, count in KEY_POINT_COUNTS.items()
            }
        )
    )
    _upsert_key_points(card_id, rows)


def _move_key_point_misses(card_id: int, item_id: int, counted_before: dict[str, dict]) -> None:
    """Move the card's key-point counts by what one answer's changed ticks changed in its
    own counts (before: `counted_before`; after: its key points now), in one UPDATE of the
    texts whose counts changed; the same counts a recount would give."""
    moves = {
        text: {name: counts[name] - counted_before[text][name] for name in KEY_POINT_COUNTS}
        for text, counts in answer_key_points(item_id).items()
    }
    moves = {text: move for text, move in moves.items() if any(move.values())}
    if not moves:
        return
    KeyPointMiss.objects.filter(card_id=card_id, text__in=moves).update(
        **{
            name: F(name)
            + Case(
                *(When(text=text, then=Value(move[name])) for text, move in moves.items()),
                default=Value(0),
            )
            for name in KEY_POINT_COUNTS
        }
    )


DAY_TOTALS = {
    "answers": Count("pk"),
    "rating_sum": Sum("rating"),
    "covered": Sum("covered_count"),
    "key_points": Sum("key_point_count"),
    "mismatched": Count("pk", filter=MISMATCH),
}


def refresh_activity(user, days: list) -> None:
    """Recompute the per-day totals of `days` from the log."""
    _refresh_days(user.pk, days)


def _refresh_days(user_id: int, days: list) -> None:
    """The per-day totals of `days`, recomputed from the log in one upsert."""
    entries = ReviewLogEntry.objects.filter(user_id=user_id)
    # What was due after the day's last review decides whether the next days were free.
    due_after_last = (
        entries.filter(answered_on=OuterRef("answered_on"))
        .order_by("-review_datetime", "-pk")
        .values("deck_next_due")[:1]
    )
    rows = list(
        entries.filter(answered_on__in=days)
        .values("answered_on")
        .annotate(**DAY_TOTALS, next_due=Subquery(due_after_last))
    )
    ActivityDay.objects.bulk_create(
        [
            ActivityDay(
                user_id=user_id,
                day=row["answered_on"],
                next_due=row["next_due"],
                **{name: row[name] for name in DAY_TOTALS},
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["user", "day"],
        update_fields=[*DAY_TOTALS, "next_due"],
    )
    if empty := set(days) - {row["answered_on"] for row in rows}:
        ActivityDay.objects.filter(user_id=user_id, day__in=empty).delete()


def due_cards(user, now: datetime):
    return (
        ReviewCard.objects.filter(user=user, due__lte=now, question__is_active=True)
        .exclude(question__in=suspended_by(user))
        .select_related("question")
        .order_by("due")
    )
