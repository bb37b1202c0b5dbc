"""How an interview went and where the user is: the step to show next, the figures per
question and overall, and the retry of the questions it missed. Over the engine's rows."""

from dataclasses import dataclass
from datetime import datetime

from sessions import grading
from sessions.engine import (
    DEFAULT_FOLLOW_UP_SECONDS,
    InterviewConfig,
    TimedAnswer,
    start_interview,
)
from sessions.models import (
    FinishState,
    InterviewSession,
    QuestionOrder,
    SessionQuestion,
)


def retry_missed(
    interview: InterviewSession, items: list[SessionQuestion], now: datetime
) -> InterviewSession:
    """A new interview of the questions this one missed (sessions.grading.missed), in their
    order, timed as this one was. `items` are annotated by item_scores."""
    missed = [
        item.question
        for item in items
        if grading.missed(item.self_rating, item.covered_count, item.key_point_count)
    ]
    if not missed:
        raise ValueError("No question of this interview was missed.")
    config = InterviewConfig(
        levels=[],
        topics=[],
        question_count=len(missed),
        timing_mode=interview.timing_mode,
        order=QuestionOrder.RANDOM,
        fixed_seconds=interview.fixed_seconds,
        follow_up_round=interview.follow_up_round,
        follow_up_seconds=interview.follow_up_seconds or DEFAULT_FOLLOW_UP_SECONDS,
    )
    return start_interview(interview.user, config, now, questions=missed)


def current_item(items: list[SessionQuestion]) -> TimedAnswer | None:
    """The step to show: the first question not yet graded, to answer or to grade, or, in
    the follow-up round, the graded question's follow-up not yet graded. A question that ran
    out while the user was away is graded before the next is shown. `items` come with
    their follow-ups (select_related("follow_up"))."""
    for item in items:
        if not item.is_graded:
            return item
        follow_up = getattr(item, "follow_up", None)
        if follow_up is not None and follow_up.prompt and not follow_up.is_graded:
            return follow_up
    return None


@dataclass(frozen=True)
class Summary:
    answered: int
    graded: int
    timed_out: int
    late: int
    average_rating: float | None
    key_points_covered: int
    key_points_total: int
    time_used: int
    time_allowed: int | None

    @property
    def coverage(self) -> float | None:
        if not self.key_points_total:
            return None
        return self.key_points_covered / self.key_points_total


def item_scores(interview: InterviewSession):
    """The interview's questions with their key-point counts, computed in SQL."""
    return interview.items.annotate(**grading.coverage_counts()).order_by("position")


def summarise(items) -> Summary:
    """Overall figures from annotated items (see item_scores)."""
    ratings = [item.self_rating for item in items if item.self_rating is not None]
    graded = [item for item in items if item.is_graded]
    allowed = [item.time_allowed for item in items if item.time_allowed is not None]
    return Summary(
        answered=sum(1 for item in items if item.is_finalised),
        graded=len(graded),
        timed_out=sum(1 for item in items if item.finish_state == FinishState.TIMED_OUT),
        late=sum(1 for item in items if item.finish_state == FinishState.LATE),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
        key_points_covered=sum(item.covered_count for item in graded),
        key_points_total=sum(item.key_point_count for item in graded),
        time_used=sum(item.time_used or 0 for item in items),
        time_allowed=sum(allowed) if allowed else None,
    )
