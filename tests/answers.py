"""Helpers for the question bank's tests: a question answered as the interview flow leaves it, and admin's change form posted back."""

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


def change_form_data(question) -> dict:
    """The change form as admin renders it for `question`, ready to post back."""
    points = list(question.key_points.all())
    data = {
        "number": question.number,
        "slug": question.slug,
        "level": question.level,
        "topics": [topic.pk for topic in question.topics.all()],
        "is_active": "on",
        "prompt": question.prompt,
        "reference_answer": question.reference_answer,
        "suggested_seconds": question.suggested_seconds,
        "follow_ups": "\n".join(question.follow_ups),
        "key_points-TOTAL_FORMS": len(points),
        "key_points-INITIAL_FORMS": len(points),
        "key_points-MIN_NUM_FORMS": 3,
        "key_points-MAX_NUM_FORMS": 7,
    }
    for index, point in enumerate(points):
        data |= {
            f"key_points-{index}-id": point.pk,
            f"key_points-{index}-question": question.pk,
            f"key_points-{index}-order": point.order,
            f"key_points-{index}-text": point.text,
            f"key_points-{index}-cues": "\n".join(point.cues),
        }
    return data
