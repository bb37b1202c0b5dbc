"""The test world: the question bank, and users' interviews, answers and grades made through
the interview engine at chosen times.

The bank is seeded once per test session (see conftest.py), so every database test finds the
30 questions of fixtures/questions.json; `seed()` is for tests that start from an empty bank.
"""

import json
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, profile_for
from questions import authoring
from questions.models import Deck, Question, Topic
from sessions import engine
from sessions.feedback import reviews
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
    """The built-in deck's question numbered `number`."""
    return Question.objects.builtin().get(number=number)


def deck(owner, name: str = "Company X", description: str = "") -> Deck:
    return Deck.objects.create(owner=owner, name=name, description=description)


def draft(**overrides) -> authoring.QuestionDraft:
    """A question of one's own: three key points, a topic of the bank and a tag of one's own."""
    values = {
        "prompt": "What does a load balancer do?",
        "reference_answer": "It **spreads** requests across servers.",
        "key_points": [
            ("Spreads requests across servers", []),
            ("Checks the health of each server", []),
            ("Removes a failing server from rotation", []),
        ],
        "level": "intermediate",
        "topics": ["Architectures", "Systems"],
        "suggested_seconds": 90,
        "follow_ups": ["And sticky sessions?"],
    } | overrides
    return authoring.QuestionDraft(**values)


def own_question(in_deck: Deck, **overrides) -> Question:
    """A question added to `in_deck` as its owner adds one."""
    return authoring.add_questions(in_deck, [draft(**overrides)])[0]


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


def start_questions(user, questions, now: datetime, **overrides) -> InterviewSession:
    """An interview of exactly these questions (of any deck), in this order."""
    questions = list(questions)
    return engine.start_interview(
        user, config(question_count=len(questions), **overrides), now, questions=questions
    )


def start(user, numbers, now: datetime, **overrides) -> InterviewSession:
    """An interview of the questions numbered `numbers`, in that order, started at `now`;
    `overrides` change the configuration (timing, order...)."""
    by_number = {
        question.number: question
        for question in Question.objects.builtin().filter(number__in=list(numbers))
    }
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
            f"key_points-{index}-cues": "\n".join(point.cues),
        }
    misconceptions = list(edited.misconceptions.all())
    data |= {
        "misconceptions-TOTAL_FORMS": len(misconceptions),
        "misconceptions-INITIAL_FORMS": len(misconceptions),
        "misconceptions-MIN_NUM_FORMS": 0,
        "misconceptions-MAX_NUM_FORMS": 6,
    }
    for index, wrong in enumerate(misconceptions):
        data |= {
            f"misconceptions-{index}-id": wrong.pk,
            f"misconceptions-{index}-question": edited.pk,
            f"misconceptions-{index}-order": wrong.order,
            f"misconceptions-{index}-claim": wrong.claim,
            f"misconceptions-{index}-why_wrong": wrong.why_wrong,
            f"misconceptions-{index}-correction": wrong.correction,
            f"misconceptions-{index}-contradicts": wrong.contradicts,
            f"misconceptions-{index}-cues": "\n".join(wrong.cues),
        }
    return data


# Bank files that the import must refuse at its check step: (id, how the exported bank is
# spoiled, into the text of the file, the problem reported).


def _spoiled(change) -> callable:
    def spoil(data: dict) -> str:
        change(data)
        return json.dumps(data)

    return spoil


def _question_record(data: dict, number: int) -> dict:
    return next(record for record in data["questions"] if record["number"] == number)


def _topic_record(data: dict, slug: str) -> dict:
    return next(topic for topic in data["topics"] if topic["slug"] == slug)


def _misconception(data: dict, number: int, position: int) -> dict:
    return _question_record(data, number)["misconceptions"][position - 1]


REFUSED_BANK_FILES = [
    (
        "misconception-contradicting-a-missing-key-point",
        _spoiled(lambda data: _misconception(data, 2, 1).update(contradicts=9)),
        "Question 2, misconception 1: field 'contradicts' is 9; the question has 6 key points.",
    ),
    (
        "misconception-without-a-correction",
        _spoiled(lambda data: _misconception(data, 5, 2).pop("correction")),
        "Question 5, misconception 2: missing fields: correction.",
    ),
    (
        "misconception-with-an-unknown-field",
        _spoiled(lambda data: _misconception(data, 5, 1).update(severity="high")),
        "Question 5, misconception 1: unknown fields: severity.",
    ),
    (
        "misconception-with-an-empty-cue",
        _spoiled(lambda data: _misconception(data, 8, 1).update(cues=["dropout|"])),
        "Question 8, misconception 1: field 'cues': Cue 1 has an empty alternative between '|'.",
    ),
    (
        "misconception-claim-with-a-nul",
        _spoiled(lambda data: _misconception(data, 9, 1).update(claim="A\x00B")),
        "Question 9, misconception 1: field 'claim': It contains a NUL character.",
    ),
    (
        "number-over-a-small-integer",
        _spoiled(lambda data: _question_record(data, 30).update(number=32768)),
        "Question 32768: field 'number': It is 32768; the largest allowed is 32767.",
    ),
    (
        "number-of-thirty-one-digits",
        _spoiled(lambda data: _question_record(data, 30).update(number=10**30)),
        f"Question {10**30}: field 'number': It is {10**30}; the largest allowed is 32767.",
    ),
    (
        "number-1e30",
        _spoiled(lambda data: _question_record(data, 30).update(number=1e30)),
        "Question 30 in the file: field 'number': It must be a whole number.",
    ),
    (
        "nul-in-a-prompt",
        _spoiled(lambda data: _question_record(data, 2).update(prompt="What is\x00 this?")),
        "Question 2: field 'prompt': It contains a NUL character.",
    ),
    (
        "nul-in-a-key-point",
        _spoiled(lambda data: _question_record(data, 3)["key_points"].__setitem__(1, "A\x00B")),
        "Question 3, key point 2: field 'text': It contains a NUL character.",
    ),
    (
        "nul-in-a-topic-description",
        _spoiled(lambda data: _topic_record(data, "training").update(description="A\x00")),
        "Topic 'training': field 'description': It contains a NUL character.",
    ),
    (
        "nul-in-a-follow-up-question",
        _spoiled(lambda data: _question_record(data, 7).update(follow_ups=["Why\x00?"])),
        "Question 7: field 'follow_ups': It contains a NUL character.",
    ),
    (
        "lone-surrogate-in-a-reference-answer",
        _spoiled(lambda data: _question_record(data, 4).update(reference_answer="\ud800 x")),
        "Question 4: field 'reference_answer': It contains a lone surrogate, "
        "which is not valid Unicode.",
    ),
    (
        "topic-name-over-80-characters",
        _spoiled(lambda data: _topic_record(data, "training").update(name="N" * 81)),
        "Topic 'training': field 'name': Ensure this value has at most 80 characters (it has 81).",
    ),
    (
        "topic-description-over-200-characters",
        _spoiled(lambda data: _topic_record(data, "training").update(description="D" * 201)),
        "Topic 'training': field 'description': "
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    (
        "topic-name-of-another-topic",
        _spoiled(lambda data: _topic_record(data, "training").update(name="Optimisation")),
        "Topic 'training': its name is also the name of topic 'optimisation'.",
    ),
    (
        "question-slug-over-80-characters",
        _spoiled(lambda data: _question_record(data, 5).update(slug="s" * 81)),
        "Question 5: field 'slug': Ensure this value has at most 80 characters (it has 81).",
    ),
    (
        "key-point-over-300-characters",
        _spoiled(lambda data: _question_record(data, 6)["key_points"].__setitem__(0, "k" * 301)),
        "Question 6, key point 1: field 'text': "
        "Ensure this value has at most 300 characters (it has 301).",
    ),
    (
        "number-of-5000-digits",
        lambda data: json.dumps(data).replace('"number": 30,', '"number": ' + "9" * 5000 + ",", 1),
        "The file holds a number far too long to be read.",
    ),
    (
        "nested-100000-levels-deep",
        lambda data: '{"topics": [], "questions": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "The file nests lists or objects too deeply to be a question bank.",
    ),
]


def review_link(interview: InterviewSession, now: datetime, **options):
    """A review link to `interview` made at `now`; returns the link and its secret."""
    return reviews.create_link(interview, reviews.LinkOptions(**options), now)


def review_url(link, token: str, name: str = "page", *args) -> str:
    """The reviewer's address `name` (page, save, recording...) for this link."""
    return reverse(f"reviews:{name}", args=[link.interview_id, token, *args])
