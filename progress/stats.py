"""The dashboard's figures. The database aggregates the review log per day and the cards per
level and topic; Python only arranges those few hundred aggregated rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum

from accounts.models import Profile
from progress import scheduling
from progress.models import ActivityDay, KeyPointMiss, ReviewCard
from progress.streaks import Streaks, streaks
from questions.models import Level
from sessions.models import InterviewSession, InterviewStatus


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


@dataclass
class Dashboard:
    interviews_completed: int
    answers: int
    rating_last_30: float | None
    rating_previous_30: float | None
    due: int
    streaks: Streaks | None
    days: list[Day]
    levels: list[Bar]
    topics: list[Bar]
    weakest: list[tuple[ReviewCard, float]]
    most_missed: list[KeyPointMiss]
    mismatched_last_30: int
    today: date
    interview_forecast: list[tuple[str, float, int]] = field(default_factory=list)


def daily_activity(user, zone: ZoneInfo) -> list[Day]:
    return [
        Day(
            day=row.day,
            answers=row.answers,
            rating_sum=row.rating_sum,
            covered=row.covered,
            key_points=row.key_points,
            mismatched=row.mismatched,
            next_due=row.next_due.astimezone(zone).date() if row.next_due else None,
        )
        for row in ActivityDay.objects.filter(user=user).order_by("day")
    ]


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


def dashboard(user, profile: Profile, now: datetime) -> Dashboard:
    zone = profile.zone
    today = now.astimezone(zone).date()
    days = daily_activity(user, zone)
    cards = list(
        ReviewCard.objects.filter(user=user)
        .select_related("question")
        .prefetch_related("question__topics")
    )
    recall = sorted(
        ((card, scheduling.retrievability(card, now)) for card in cards),
        key=lambda pair: pair[1],
    )
    last_30 = [day for day in days if day.day > today - timedelta(days=30)]
    previous_30 = [
        day for day in days if today - timedelta(days=60) < day.day <= today - timedelta(days=30)
    ]
    board = Dashboard(
        interviews_completed=InterviewSession.objects.filter(
            user=user, status=InterviewStatus.COMPLETED
        ).count(),
        answers=sum(day.answers for day in days),
        rating_last_30=_average(last_30),
        rating_previous_30=_average(previous_30),
        due=sum(1 for card in cards if card.due <= now and card.question.is_active),
        streaks=(
            streaks({day.day: day.next_due for day in days}, today, profile.rest_days)
            if profile.show_streaks
            else None
        ),
        days=days,
        levels=mastery_by_level(user),
        topics=mastery_by_topic(user),
        weakest=[pair for pair in recall if pair[0].question.is_active][:5],
        most_missed=list(
            KeyPointMiss.objects.filter(
                card__user=user, missed__gt=0, card__question__is_active=True
            )
            .select_related("card__question")
            .order_by("-missed", "text")[:5]
        ),
        mismatched_last_30=sum(day.mismatched for day in last_30),
        today=today,
    )
    if profile.interview_date and profile.interview_date >= today:
        moment = datetime.combine(profile.interview_date, time(9), tzinfo=zone)
        board.interview_forecast = forecast(cards, moment)
    return board
