"""Mock interviews as the tests need them: the seeded bank, and an interview started for a user
with chosen questions, configuration and clock."""

from datetime import UTC, datetime

from django.core.management import call_command
from django.utils import timezone

from questions.models import Question
from sessions import engine
from sessions.models import InterviewSession, QuestionOrder, SessionQuestion, TimingMode

# A fixed instant for tests that pass `now` or freeze the clock.
T0 = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)


def seed() -> None:
    call_command("seed_questions", verbosity=0)


def question(number: int) -> Question:
    return Question.objects.get(number=number)


def config(**overrides) -> engine.InterviewConfig:
    """A configuration: any level and topic, each question's suggested time, random order."""
    values = {
        "levels": [],
        "topics": [],
        "question_count": 3,
        "timing_mode": TimingMode.SUGGESTED,
        "order": QuestionOrder.RANDOM,
        "fixed_seconds": None,
    } | overrides
    return engine.InterviewConfig(**values)


def start(user, numbers=(1, 2, 3), *, now: datetime | None = None, **overrides) -> InterviewSession:
    """An interview of the questions numbered `numbers`, in that order."""
    by_number = Question.objects.in_bulk(list(numbers), field_name="number")
    questions = [by_number[number] for number in numbers]
    return engine.start_interview(
        user,
        config(question_count=len(questions), **overrides),
        now or timezone.now(),
        questions=questions,
    )


def item(interview: InterviewSession, position: int) -> SessionQuestion:
    """The interview's question at `position`, fresh from the database."""
    return SessionQuestion.objects.select_related("interview").get(
        interview=interview, position=position
    )


def answer(interview: InterviewSession, position: int, text: str, now: datetime) -> SessionQuestion:
    """Show the question at `now` and submit `text` at once (on time when timed)."""
    shown = engine.show(item(interview, position), now)
    return engine.submit(shown, text, now).item
