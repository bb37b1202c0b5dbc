"""The dashboard's figures. The database aggregates the review log per day and the cards per
level, topic and deck; Python only arranges those few hundred aggregated rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse

from accounts.models import Profile
from progress import scheduling
from progress.models import ActivityDay, KeyPointMiss, ReviewCard
from progress.streaks import Streaks, streaks
from questions.models import Level, suspended_by
from sessions.models import ShownMisconception


@dataclass(frozen=True)
class Day:
    day: date
    answers: int
    rating_sum: int
    covered: int
    key_points: int
    mismatched: int
    next_due: date | None


@dataclass(frozen=True)
class Bar:
    label: str
    answers: int
    coverage: float | None  # share of key points covered, 0-1
    average_rating: float | None
    timed_out_share: float | None
    link: str = ""


@dataclass(frozen=True)
class MissedPoint:
    text: str
    missed: int
    shown: int
    question_id: int
    question_number: int


@dataclass(frozen=True)
class StatedMisconception:
    claim: str
    times: int
    question_slug: str
    question_number: int


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows that only a grade, a settings change or a change to the bank
    can change, on the day `today`: the part that is cached (interviewprep/cache_versions.py)."""

    answers: int
    rating_last_30: float | None
    rating_previous_30: float | None
    streaks: Streaks | None
    days: list[Day]
    levels: list[Bar]
    topics: list[Bar]
    most_missed: list[MissedPoint]
    mismatched_last_30: int
    today: date
    interview_forecast: list[tuple[str, float, int]] = field(default_factory=list)
    most_stated: list[StatedMisconception] = field(default_factory=list)
    decks: list[Bar] = field(default_factory=list)


@dataclass(frozen=True)
class WeakQuestion:
    question_id: int
    number: int
    slug: str
    prompt: str
    recall: float  # predicted recall at RECALL_HORIZON from now, 0-1


# The weakest questions are those you are least likely to recall a week from now. Recall now
# says little: right after any review, even one graded Again, it is about 100%.
RECALL_HORIZON = timedelta(days=7)


def daily_activity(user, zone: ZoneInfo) -> list[Day]:
    # The database turns each day's next due time into a date in the user's zone.
    rows = (
        ActivityDay.objects.filter(user=user)
        .order_by("day")
        .values_list(
            "day",
            "answers",
            "rating_sum",
            "covered",
            "key_points",
            "mismatched",
            TruncDate("next_due", tzinfo=zone),
        )
    )
    return [Day(*row) for row in rows]


def _bar(label: str, row: dict, link: str = "") -> Bar:
    reviews = row["reviews"] or 0
    return Bar(
        label=label,
        answers=reviews,
        coverage=row["covered"] / row["key_points"] if row["key_points"] else None,
        average_rating=row["ratings"] / reviews if reviews else None,
        timed_out_share=row["timed_out"] / reviews if reviews else None,
        link=link,
    )


CARD_TOTALS = {
    "reviews": Sum("reviews"),
    "ratings": Sum("rating_sum"),
    "covered": Sum("covered_sum"),
    "key_points": Sum("key_point_sum"),
    "timed_out": Sum("timed_out"),
}


def mastery_by_level(user) -> list[Bar]:
    rows = {
        row["question__level"]: row
        for row in ReviewCard.objects.filter(user=user)
        .values("question__level")
        .annotate(**CARD_TOTALS)
    }
    return [
        _bar(label, rows[value], f"?level={value}")
        for value, label in Level.choices
        if value in rows
    ]


def mastery_by_deck(user) -> list[Bar]:
    """Per deck, each bar opening the deck (a deleted deck's questions have no cards left)."""
    rows = (
        ReviewCard.objects.filter(user=user)
        .values("question__deck_id", "question__deck__name")
        .annotate(**CARD_TOTALS)
        .order_by("question__deck__name", "question__deck_id")
    )
    return [
        _bar(
            row["question__deck__name"],
            row,
            reverse("decks:detail", args=[row["question__deck_id"]]),
        )
        for row in rows
    ]


def mastery_by_topic(user) -> list[Bar]:
    rows = (
        ReviewCard.objects.filter(user=user)
        .values("question__topics__slug", "question__topics__name")
        .annotate(**CARD_TOTALS)
        .order_by("question__topics__name")
    )
    return [
        _bar(row["question__topics__name"], row, f"?topic={row['question__topics__slug']}")
        for row in rows
        if row["question__topics__slug"]
    ]


def _average(days: list[Day]) -> float | None:
    answers = sum(day.answers for day in days)
    return sum(day.rating_sum for day in days) / answers if answers else None


def forecast(cards: list[ReviewCard], when: datetime) -> list[tuple[str, float, int]]:
    """Predicted recall per topic at `when`, weakest first: (topic, recall, questions)."""
    per_topic: dict[str, list[float]] = {}
    for card in cards:
        recall = scheduling.retrievability(card, when)
        for topic in card.question.topics.all():
            per_topic.setdefault(topic.name, []).append(recall)
    rows = [(name, sum(values) / len(values), len(values)) for name, values in per_topic.items()]
    return sorted(rows, key=lambda row: row[1])


def most_missed(user) -> list[MissedPoint]:
    rows = (
        KeyPointMiss.objects.filter(card__user=user, missed__gt=0, card__question__is_active=True)
        .order_by("-missed", "text")
        .values_list("text", "missed", "shown", "card__question_id", "card__question__number")[:5]
    )
    return [MissedPoint(*row) for row in rows]


def most_stated(user) -> list[StatedMisconception]:
    """The misconceptions the user's graded answers seemed to state most often."""
    rows = (
        ShownMisconception.objects.filter(
            item__interview__user=user,
            item__self_rating__isnull=False,
            item__question__is_active=True,
            stated=True,
        )
        .values("claim", "item__question__slug", "item__question__number")
        .annotate(times=Count("pk"))
        .order_by("-times", "claim")
        .values_list("claim", "times", "item__question__slug", "item__question__number")[:5]
    )
    return [StatedMisconception(*row) for row in rows]


def figures(user, profile: Profile, today: date) -> Figures | None:
    """The cached part of the dashboard; None before the first graded answer."""
    zone = profile.zone
    days = daily_activity(user, zone)
    if not days:
        return None
    last_30 = [day for day in days if day.day > today - timedelta(days=30)]
    previous_30 = [
        day for day in days if today - timedelta(days=60) < day.day <= today - timedelta(days=30)
    ]
    interview_forecast = []
    if profile.interview_date and profile.interview_date >= today:
        cards = list(
            ReviewCard.objects.filter(user=user)
            .only(*scheduling.FSRS_FIELDS, "question")
            .prefetch_related("question__topics")
            .select_related("question")
        )
        moment = datetime.combine(profile.interview_date, time(9), tzinfo=zone)
        interview_forecast = forecast(cards, moment)
    return Figures(
        answers=sum(day.answers for day in days),
        rating_last_30=_average(last_30),
        rating_previous_30=_average(previous_30),
        streaks=(
            streaks({day.day: day.next_due for day in days}, today, profile.rest_days)
            if profile.show_streaks
            else None
        ),
        days=days,
        levels=mastery_by_level(user),
        topics=mastery_by_topic(user),
        decks=mastery_by_deck(user),
        most_missed=most_missed(user),
        most_stated=most_stated(user),
        mismatched_last_30=sum(day.mismatched for day in last_30),
        today=today,
        interview_forecast=interview_forecast,
    )


def schedule_now(user, now: datetime) -> tuple[int, list[WeakQuestion]]:
    """What moves with the clock, so is worked out on every request: how many questions are
    due, and the weakest five (active) questions; suspended questions are left out."""
    cards = (
        ReviewCard.objects.filter(user=user)
        .exclude(question__in=suspended_by(user))
        .select_related("question")
        .only(
            *scheduling.FSRS_FIELDS,
            "question__number",
            "question__slug",
            "question__prompt",
            "question__is_active",
        )
    )
    active = [card for card in cards if card.question.is_active]
    horizon = now + RECALL_HORIZON
    weakest = sorted(
        (
            WeakQuestion(
                card.question_id,
                card.question.number,
                card.question.slug,
                card.question.prompt,
                scheduling.retrievability(card, horizon),
            )
            for card in active
        ),
        key=lambda weak: (weak.recall, weak.number),
    )
    return sum(1 for card in active if card.due <= now), weakest[:5]
