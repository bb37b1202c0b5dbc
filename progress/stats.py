"""The dashboard's figures. The database aggregates the review log per day and the cards per
level, topic and deck; Python only arranges those few hundred aggregated rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, CharField, Count, F, Sum, Value
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse

from accounts.models import Profile
from progress import compiled, scheduling
from progress.models import ActivityDay, KeyPointMiss, ReviewCard
from progress.streaks import Streaks, streaks
from questions.models import Level, suspended_by
from sessions.models import InterviewSession, InterviewStatus, ShownMisconception


class Day(NamedTuple):
    """One active day's totals (a tuple: the dashboard reads up to two years of them)."""

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
    def build(user_id: int):
        # The database turns each day's next due time into a date in the user's zone.
        return (
            ActivityDay.objects.filter(user_id=user_id)
            .order_by("day")
            .values(
                *("day", "answers", "rating_sum", "covered", "key_points", "mismatched"),
                next_due_day=TruncDate("next_due", tzinfo=zone),
            )
        )

    return [Day._make(row) for row in compiled.tuples("days", build, user.pk, str(zone))]


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


def _mastery_rows(user_id: int):
    """The cards' totals grouped per level, per topic and per deck, in one query: the three
    groupings joined with UNION ALL, each row saying which it is (kind) and naming its
    level or topic (slug), its topic or deck (name) and its deck (deck)."""
    cards = ReviewCard.objects.filter(user_id=user_id)
    # Typed NULLs, for PostgreSQL reads each column's type from the first grouping.
    no_text, no_deck = Cast(None, CharField()), Cast(None, BigIntegerField())
    levels = cards.values(
        kind=Value("level"),
        slug=F("question__level"),
        name=no_text,
        deck=no_deck,
    ).annotate(**CARD_TOTALS)
    topics = (
        cards.filter(question__topics__isnull=False)
        .values(
            kind=Value("topic"),
            slug=F("question__topics__slug"),
            name=F("question__topics__name"),
            deck=no_deck,
        )
        .annotate(**CARD_TOTALS)
    )
    decks = cards.values(
        kind=Value("deck"),
        slug=no_text,
        name=F("question__deck__name"),
        deck=F("question__deck_id"),
    ).annotate(**CARD_TOTALS)
    return levels.union(topics, decks, all=True).order_by("kind", "name", "deck")


def mastery(user) -> tuple[list[Bar], list[Bar], list[Bar]]:
    """Mastery per level (in the levels' order), per topic (by name) and per deck (by name;
    each bar opening the deck, and a deleted deck's questions have no cards left)."""
    rows: dict[str, list[dict]] = {"level": [], "topic": [], "deck": []}
    for row in compiled.dicts("mastery", _mastery_rows, user.pk):
        rows[row["kind"]].append(row)
    by_level = {row["slug"]: row for row in rows["level"]}
    levels = [
        _bar(label, by_level[value], f"?level={value}")
        for value, label in Level.choices
        if value in by_level
    ]
    topics = [_bar(row["name"], row, f"?topic={row['slug']}") for row in rows["topic"]]
    decks = [
        _bar(row["name"], row, reverse("decks:detail", args=[row["deck"]])) for row in rows["deck"]
    ]
    return levels, topics, decks


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
    def build(user_id: int):
        return (
            KeyPointMiss.objects.filter(
                card__user_id=user_id, missed__gt=0, card__question__is_active=True
            )
            .order_by("-missed", "text")
            .values("text", "missed", "shown", "card__question_id", "card__question__number")[:5]
        )

    return [MissedPoint(*row) for row in compiled.tuples("most missed", build, user.pk)]


def most_stated(user) -> list[StatedMisconception]:
    """The misconceptions the user's graded answers seemed to state most often."""

    def build(user_id: int):
        return (
            ShownMisconception.objects.filter(
                item__interview__user_id=user_id,
                item__self_rating__isnull=False,
                item__question__is_active=True,
                stated=True,
            )
            .values("claim", "item__question__slug", "item__question__number")
            .annotate(times=Count("pk"))
            .order_by("-times", "claim")[:5]
        )

    return [
        StatedMisconception(
            row["claim"], row["times"], row["item__question__slug"], row["item__question__number"]
        )
        for row in compiled.dicts("most stated", build, user.pk)
    ]


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
    levels, topics, decks = mastery(user)
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
        levels=levels,
        topics=topics,
        decks=decks,
        most_missed=most_missed(user),
        most_stated=most_stated(user),
        mismatched_last_30=sum(day.mismatched for day in last_30),
        today=today,
        interview_forecast=interview_forecast,
    )


def interviews_completed(user) -> int:
    def build(user_id: int):
        return (
            InterviewSession.objects.filter(user_id=user_id, status=InterviewStatus.COMPLETED)
            .values("user_id")
            .annotate(completed=Count("*"))
            .order_by()
        )

    found = compiled.tuples("interviews completed", build, user.pk)
    return found[0][1] if found else 0


def _schedule_rows(user_id: int):
    return (
        ReviewCard.objects.filter(user_id=user_id, question__is_active=True)
        .exclude(question__in=suspended_by(user_id))
        .values(
            "id",
            *scheduling.FSRS_FIELDS,
            "question_id",
            "question__number",
            "question__slug",
            "question__prompt",
        )
    )


def schedule_now(user, now: datetime) -> tuple[int, list[WeakQuestion]]:
    """What moves with the clock, so is worked out on every request: how many questions are
    due, and the weakest five (active) questions; suspended questions are left out."""
    horizon = now + RECALL_HORIZON
    due = 0
    weakest = []
    for row in compiled.dicts("schedule", _schedule_rows, user.pk):
        card = ReviewCard(**{name: row[name] for name in ("id", *scheduling.FSRS_FIELDS)})
        due += card.due <= now
        weakest.append(
            WeakQuestion(
                row["question_id"],
                row["question__number"],
                row["question__slug"],
                row["question__prompt"],
                scheduling.retrievability(card, horizon),
            )
        )
    weakest.sort(key=lambda weak: (weak.recall, weak.number))
    return due, weakest[:5]
