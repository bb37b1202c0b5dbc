"""Graded answers made through the interview engine, as the progress tests need them: the
seeded bank, an interview of chosen questions, and answering and grading at a chosen time."""

from datetime import UTC, datetime, timedelta

from django.core.management import call_command

from accounts.models import Profile, profile_for
from questions.models import Question
from sessions import engine
from sessions.models import InterviewSession, QuestionOrder, SessionQuestion, TimingMode

# A fixed instant for the tests that pass `now` to the engine.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def seed() -> None:
    call_command("seed_questions", verbosity=0)


def question(number: int) -> Question:
    return Question.objects.get(number=number)


def set_profile(user, **values) -> Profile:
    profile = profile_for(user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def start(user, numbers, now: datetime) -> InterviewSession:
    """An interview of the questions numbered `numbers`, in that order, each with its
    suggested time."""
    by_number = Question.objects.in_bulk(list(numbers), field_name="number")
    config = engine.InterviewConfig(
        levels=[],
        topics=[],
        question_count=len(numbers),
        timing_mode=TimingMode.SUGGESTED,
        order=QuestionOrder.RANDOM,
    )
    return engine.start_interview(user, config, now, [by_number[n] for n in numbers])


def item(interview: InterviewSession, position: int) -> SessionQuestion:
    return SessionQuestion.objects.select_related("interview").get(
        interview=interview, position=position
    )


def answer(
    interview: InterviewSession, position: int, now: datetime, *, text: str = "", seconds: int = 60
) -> SessionQuestion:
    """Shown `seconds` before `now` and submitted at `now`, on time."""
    shown = engine.show(item(interview, position), now - timedelta(seconds=seconds))
    return engine.submit(shown, text or f"Answer {position}", now).item


def grade(
    answered: SessionQuestion, rating: int, covered: int, now: datetime, note: str = ""
) -> SessionQuestion:
    """Grade with the first `covered` key points ticked."""
    engine.grade(answered, rating, set(range(1, covered + 1)), note, now)
    return item(answered.interview, answered.position)


def graded_interview(
    user,
    grades: list[tuple[int, int, int]],
    now: datetime,
    *,
    text: str = "",
    note: str = "",
    seconds: int = 60,
) -> InterviewSession:
    """A completed interview: for each (question number, rating, key points covered),
    answered in `seconds` and graded at `now`."""
    interview = start(user, [number for number, _, _ in grades], now - timedelta(hours=1))
    for position, (_, rating, covered) in enumerate(grades, start=1):
        answered = answer(interview, position, now, text=text, seconds=seconds)
        grade(answered, rating, covered, now, note)
    interview.refresh_from_db()
    return interview
