"""You against your reviewers: the candidate's own ratings against the verdicts of the second
opinions sent in the last 30 days, and the key points reviewers most often say were missed.
Aggregated by the database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F

from sessions.feedback.models import ReviewedAnswer, ReviewTick

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class ReviewerMiss:
    text: str
    question_number: int
    missed: int


@dataclass(frozen=True)
class AgainstReviewers:
    verdicts: int
    # The user's own rating minus the reviewer's verdict, averaged: above 0, reviewers were
    # harder on the answers than the user.
    average_gap: float
    most_missed: list[ReviewerMiss]

    @property
    def gap_size(self) -> float:
        return abs(self.average_gap)


def against_reviewers(user, now: datetime) -> AgainstReviewers | None:
    """None until a reviewer's verdict on a self-graded answer was sent in the window."""
    since = now - WINDOW
    compared = ReviewedAnswer.objects.filter(
        link__interview__user=user,
        link__sent_at__gt=since,
        verdict__isnull=False,
        item__self_rating__isnull=False,
    ).aggregate(verdicts=Count("pk"), average_gap=Avg(F("item__self_rating") - F("verdict")))
    if not compared["verdicts"]:
        return None
    # Only reviewers who opened the key points ticked them: the others say nothing of them.
    missed = (
        ReviewTick.objects.filter(
            answer__link__interview__user=user,
            answer__link__sent_at__gt=since,
            answer__reference_shown_at__isnull=False,
            covered=False,
        )
        .values("key_point__text", "answer__item__question__number")
        .annotate(missed=Count("pk"))
        .order_by("-missed", "key_point__text")[:5]
    )
    return AgainstReviewers(
        verdicts=compared["verdicts"],
        average_gap=float(compared["average_gap"]),
        most_missed=[
            ReviewerMiss(
                text=row["key_point__text"],
                question_number=row["answer__item__question__number"],
                missed=row["missed"],
            )
            for row in missed
        ],
    )
