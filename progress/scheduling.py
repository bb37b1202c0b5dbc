"""Spaced review with FSRS: every grade is a review; the log is the source of truth and a
card is always rebuilt from it, so changing a grade later reschedules the question."""

from datetime import datetime

from django.db.models import Count, F, Max, Min, Q, Sum
from fsrs import Card, Rating, ReviewLog, Scheduler, State

from accounts.models import profile_for
from progress import caching
from progress.models import ActivityDay, KeyPointMiss, ReviewCard, ReviewLogEntry
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


def fsrs_logs(card: ReviewCard) -> list[ReviewLog]:
    return [
        ReviewLog(
            card_id=card.pk,
            rating=Rating(rating),
            review_datetime=review_datetime,
            review_duration=duration,
        )
        for rating, review_datetime, duration in card.log.values_list(
            "rating", "review_datetime", "review_duration"
        )
    ]


def retrievability(card: ReviewCard, when: datetime) -> float:
    """The predicted chance of recalling the card's question at `when`."""
    if card.last_review is None:
        return 0.0
    return SCHEDULER.get_card_retrievability(to_fsrs(card), when)


def rebuild_card(card: ReviewCard) -> ReviewCard:
    """Replay the card's log into a fresh FSRS card and refresh the card's totals."""
    rebuilt = SCHEDULER.reschedule_card(Card(card_id=card.pk, due=card.due), fsrs_logs(card))
    totals = card.log.aggregate(
        reviews=Count("pk"),
        rating_sum=Sum("rating", default=0),
        covered_sum=Sum("covered_count", default=0),
        key_point_sum=Sum("key_point_count", default=0),
        timed_out=Count("pk", filter=Q(timed_out=True)),
    )
    card.state = rebuilt.state.value
    card.step = rebuilt.step
    card.stability = rebuilt.stability
    card.difficulty = rebuilt.difficulty
    card.due = rebuilt.due
    card.last_review = rebuilt.last_review
    for name, value in totals.items():
        setattr(card, name, value)
    card.save()
    misses = (
        ShownKeyPoint.objects.filter(item__review__card=card)
        .values("text")
        .annotate(shown=Count("pk"), missed=Count("pk", filter=Q(covered=False)))
    )
    card.key_point_misses.all().delete()
    KeyPointMiss.objects.bulk_create(KeyPointMiss(card=card, **row) for row in misses)
    return card


def record_review(item: SessionQuestion, now: datetime) -> ReviewLogEntry:
    """Log a grade (or a changed grade) and reschedule the question for its user."""
    user = item.interview.user
    card, _ = ReviewCard.objects.get_or_create(
        user=user, question_id=item.question_id, defaults={"due": now}
    )
    counts = item.key_points.aggregate(
        covered=Count("pk", filter=Q(covered=True)), total=Count("pk")
    )
    values = {
        "rating": item.self_rating,
        "covered_count": counts["covered"],
        "key_point_count": counts["total"],
        "timed_out": item.finish_state == FinishState.TIMED_OUT,
        "review_duration": None if item.time_used is None else item.time_used * 1000,
    }
    entry = ReviewLogEntry.objects.filter(item=item).first()
    if entry is None:
        entry = ReviewLogEntry(
            item=item,
            card=card,
            user=user,
            review_datetime=now,
            answered_on=now.astimezone(profile_for(user).zone).date(),
            deck_next_due=now,
            **values,
        )
    else:
        for name, value in values.items():
            setattr(entry, name, value)
    entry.save()
    rebuild_card(card)
    entry.deck_next_due = ReviewCard.objects.filter(user=user).aggregate(first=Min("due"))["first"]
    entry.save(update_fields=["deck_next_due"])
    refresh_activity(user, [entry.answered_on])
    caching.bump_progress(user.pk)
    return entry


# A grade that disagrees with the key points ticked: Good or Easy with under half of them,
# or Again with all of them.
MISMATCH = Q(rating__gte=3, key_point_count__gt=F("covered_count") * 2) | Q(
    rating=1, covered_count=F("key_point_count"), key_point_count__gt=0
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
    entries = ReviewLogEntry.objects.filter(user=user, answered_on__in=days)
    rows = list(entries.values("answered_on").annotate(**DAY_TOTALS, last=Max("review_datetime")))
    # What was due after the day's last review decides whether the next days were free.
    due_after_last = dict(
        entries.filter(review_datetime__in=[row["last"] for row in rows])
        .order_by("review_datetime", "pk")
        .values_list("answered_on", "deck_next_due")
    )
    ActivityDay.objects.filter(user=user, day__in=days).delete()
    ActivityDay.objects.bulk_create(
        ActivityDay(
            user=user,
            day=row["answered_on"],
            next_due=due_after_last.get(row["answered_on"]),
            **{name: row[name] for name in DAY_TOTALS},
        )
        for row in rows
    )


def due_cards(user, now: datetime):
    return (
        ReviewCard.objects.filter(user=user, due__lte=now, question__is_active=True)
        .select_related("question")
        .order_by("due")
    )
