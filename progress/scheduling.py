"""Spaced review with FSRS: every grade is a review; the log is the source of truth. A new
grade applies one FSRS step to the stored card, which is what replaying the log would give;
changing a grade later rebuilds the card from its log, so it reschedules the question."""

import zoneinfo
from datetime import datetime

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from fsrs import Card, Rating, ReviewLog, Scheduler, State

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


def _replay(card_id: int, due: datetime, reviews: list[dict]) -> Card:
    """A fresh FSRS card with the reviews (rating, review_datetime, review_duration) replayed."""
    logs = [
        ReviewLog(
            card_id=card_id,
            rating=Rating(review["rating"]),
            review_datetime=review["review_datetime"],
            review_duration=review["review_duration"],
        )
        for review in reviews
    ]
    return SCHEDULER.reschedule_card(Card(card_id=card_id, due=due), logs)


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


REPLAYED = ("rating", "review_datetime", "review_duration")
CARD_FIELDS = [
    *("state", "step", "stability", "difficulty", "due", "last_review"),
    *("reviews", "rating_sum", "covered_sum", "key_point_sum", "timed_out"),
]


def rebuild_card(card: ReviewCard) -> ReviewCard:
    """Replay the card's log into a fresh FSRS card and refresh the card's totals."""
    reviews = list(card.log.values(*REPLAYED, "covered_count", "key_point_count", "timed_out"))
    for name, value in {
        **_schedule_fields(_replay(card.pk, card.due, reviews)),
        **_log_totals(reviews),
    }.items():
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


def record_review(item: SessionQuestion, now: datetime, *, covered: int, key_points: int) -> None:
    """Log a grade (or a changed grade) and reschedule the question for its user: one upsert
    each for the card, the log entry, its missed key points and the day's totals. Runs in
    the grade's transaction.

    A new grade costs the same whatever the history: one FSRS step on the stored card, and
    its figures added to the card's totals and missed key points. Only a changed grade (or
    one dated before the card's last review) reads the question's whole log and replays it."""
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
    if stored is None or (
        not stored.graded_before and (stored.last_review is None or stored.last_review <= now)
    ):
        entry = {"review_datetime": now, "answered_on": now.astimezone(zone).date()}
        card_id = 0 if stored is None else stored.pk
        start = Card(card_id=card_id, due=now) if stored is None else to_fsrs(stored)
        rebuilt, _ = SCHEDULER.review_card(start, Rating(values["rating"]), now)
        totals = _add_review(stored, values)
    else:
        entry, rebuilt, totals = _replay_log(user_id, item, now, zone, values)
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
            )
        ],
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=[*values, "deck_next_due"],
    )
    if stored is not None and stored.graded_before:
        _refresh_key_point_misses(card.pk)
    else:
        _add_key_point_misses(card.pk, item.pk)
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


def _replay_log(user_id: int, item: SessionQuestion, now: datetime, zone, values: dict):
    """A changed grade: the question's log with the entry changed, replayed into a fresh
    card. Returns the entry's time and day, the card and its totals."""
    reviews = list(
        ReviewLogEntry.objects.filter(user_id=user_id, card__question_id=item.question_id).values(
            "item_id", "card_id", "answered_on", *REPLAYED, *values
        )
    )
    # A changed grade keeps its entry's time and day.
    entry = next((review for review in reviews if review["item_id"] == item.pk), None)
    if entry is None:
        entry = {"review_datetime": now, "answered_on": now.astimezone(zone).date()}
        reviews.append(entry)
    entry.update(values)
    rebuilt = _replay(reviews[0].get("card_id", 0), now, reviews)
    return entry, rebuilt, _log_totals(reviews)


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
