"""What a mock interview is configured to ask, and which questions match it."""

from dataclasses import dataclass

from questions.models import Question


@dataclass(frozen=True)
class InterviewConfig:
    levels: list[str]
    topics: list[str]
    question_count: int
    timing_mode: str
    order: str
    fixed_seconds: int | None = None


def matching_questions(levels: list[str], topics: list[str]):
    questions = Question.objects.active()
    if levels:
        questions = questions.filter(level__in=levels)
    if topics:
        questions = questions.filter(
            pk__in=Question.objects.filter(topics__slug__in=topics).values("pk")
        )
    return questions
