"""Interview answers as the interview flow leaves them, for tests that need a question answered."""

from datetime import timedelta

from django.utils import timezone

from questions.models import Question
from sessions.models import (
    FinishState,
    InterviewSession,
    InterviewStatus,
    QuestionOrder,
    SessionQuestion,
    TimingMode,
)


def record_answer(
    user, question: Question, *, submitted: bool = True, self_rating: int | None = None
) -> SessionQuestion:
    """A one-question interview in which `user` was shown `question` and, if `submitted`,
    answered it on time (and rated it `self_rating`)."""
    now = timezone.now()
    interview = InterviewSession.objects.create(
        user=user,
        status=InterviewStatus.COMPLETED if submitted else InterviewStatus.IN_PROGRESS,
        timing_mode=TimingMode.SUGGESTED,
        order=QuestionOrder.RANDOM,
        question_count=1,
        started_at=now,
        finished_at=now if submitted else None,
    )
    return SessionQuestion.objects.create(
        interview=interview,
        position=1,
        question=question,
        prompt=question.prompt,
        reference_answer=question.reference_answer,
        level=question.level,
        time_allowed=120,
        shown_at=now,
        deadline=now + timedelta(seconds=120),
        submitted_at=now if submitted else None,
        finish_state=FinishState.ON_TIME if submitted else "",
        answer_text="x" if submitted else "",
        self_rating=self_rating,
        graded_at=now if self_rating is not None else None,
    )
