"""The test world: the question bank, and users' interviews, answers and grades made through
the interview engine at chosen times.

The bank is seeded once per test session (see conftest.py), so every database test finds the
30 questions of fixtures/questions.json; `seed()` is for tests that start from an empty bank.
"""

from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.utils import timezone

from accounts.models import Profile, profile_for
from questions.models import Question, Topic
from sessions import engine
from sessions.models import InterviewSession, QuestionOrder, Rating, SessionQuestion, TimingMode

# The one fixed instant of the tests: Monday 2 March 2026, 09:00 UTC.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def seed() -> None:
    """Load fixtures/questions.json into the bank (idempotent)."""
    call_command("seed_questions", verbosity=0)


def empty_the_bank() -> None:
    """Remove every question, key point and topic (inside a test, so rolled back after it)."""
    Question.objects.all().delete()
    Topic.objects.all().delete()


def question(number: int) -> Question:
    return Question.objects.get(number=number)


def set_profile(user, **values) -> Profile:
    profile = profile_for(user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    return profile


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


def start(user, numbers, now: datetime, **overrides) -> InterviewSession:
    """An interview of the questions numbered `numbers`, in that order, started at `now`;
    `overrides` change the configuration (timing, order...)."""
    by_number = Question.objects.in_bulk(list(numbers), field_name="number")
    questions = [by_number[number] for number in numbers]
    return engine.start_interview(
        user, config(question_count=len(questions), **overrides), now, questions=questions
    )


def item(interview: InterviewSession, position: int) -> SessionQuestion:
    """The interview's question at `position`, fresh from the database."""
    return SessionQuestion.objects.select_related("interview").get(
        interview=interview, position=position
    )


def answer(
    interview: InterviewSession,
    position: int,
    now: datetime,
    *,
    text: str = "An answer.",
    seconds: int = 0,
) -> SessionQuestion:
    """The question at `position` shown `seconds` before `now` and submitted at `now`."""
    shown = engine.show(item(interview, position), now - timedelta(seconds=seconds))
    return engine.submit(shown, text, now).item


def grade(
    answered: SessionQuestion, rating: Rating, covered: int, now: datetime, note: str = ""
) -> SessionQuestion:
    """Grade `answered` at `now` with its first `covered` key points ticked."""
    engine.grade(answered, rating, set(range(1, covered + 1)), note, now)
    return item(answered.interview, answered.position)


def graded_interview(
    user,
    grades: list[tuple[int, Rating, int]],
    now: datetime,
    *,
    text: str = "An answer.",
    note: str = "",
    seconds: int = 60,
) -> InterviewSession:
    """A completed interview started an hour before `now`: for each (question number, rating,
    key points covered), answered in `seconds` and graded at `now`."""
    interview = start(user, [number for number, _, _ in grades], now - timedelta(hours=1))
    for position, (_, rating, covered) in enumerate(grades, start=1):
        answered = answer(interview, position, now, text=text, seconds=seconds)
        grade(answered, rating, covered, now, note)
    interview.refresh_from_db()
    return interview


def record_answer(
    user,
    answered: Question,
    *,
    submitted: bool = True,
    self_rating: Rating | None = None,
    now: datetime | None = None,
) -> SessionQuestion:
    """A one-question interview in which `user` was shown `answered` at `now` (by default
    the current time) and, if `submitted`, answered it at once (and graded it `self_rating`)."""
    now = now or timezone.now()
    interview = start(user, [answered.number], now)
    if not submitted:
        return engine.show(item(interview, 1), now)
    submitted_item = answer(interview, 1, now)
    if self_rating is None:
        return submitted_item
    return grade(submitted_item, self_rating, 0, now)


def change_form_data(edited: Question) -> dict:
    """Admin's change form for `edited` as admin renders it, ready to post back."""
    points = list(edited.key_points.all())
    data = {
        "number": edited.number,
        "slug": edited.slug,
        "level": edited.level,
        "topics": [topic.pk for topic in edited.topics.all()],
        "is_active": "on",
        "prompt": edited.prompt,
        "reference_answer": edited.reference_answer,
        "suggested_seconds": edited.suggested_seconds,
        "follow_ups": "\n".join(edited.follow_ups),
        "key_points-TOTAL_FORMS": len(points),
        "key_points-INITIAL_FORMS": len(points),
        "key_points-MIN_NUM_FORMS": 3,
        "key_points-MAX_NUM_FORMS": 7,
    }
    for index, point in enumerate(points):
        data |= {
            f"key_points-{index}-id": point.pk,
            f"key_points-{index}-question": edited.pk,
            f"key_points-{index}-order": point.order,
            f"key_points-{index}-text": point.text,
        }
    return data
