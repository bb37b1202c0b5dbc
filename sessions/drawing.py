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
    # The decks chosen (their ids); none chosen means the built-in deck.
    decks: tuple[int, ...] = ()


def matching_questions(user, levels: list[str], topics: list[str], decks=()):
    """The active questions of the chosen decks that the user may see, at these levels and
    on these topics (any, when none is chosen)."""
    active = Question.objects.active()
    questions = active.visible_to(user).filter(deck__in=decks) if decks else active.builtin()
    if levels:
        questions = questions.filter(level__in=levels)
    if topics:
        questions = questions.filter(
            pk__in=Question.objects.filter(topics__slug__in=topics).values("pk")
        )
    return questions
