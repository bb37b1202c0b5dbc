"""The database itself guards the invariants, whatever code writes to it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from progress.models import ReviewCard, ReviewLogEntry
from questions.models import KeyPoint, Question
from sessions.models import Rating, SessionQuestion
from tests.factories import T0, answer, start


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def new_question(**overrides) -> Question:
    values = {
        "number": 99,
        "slug": "a-new-question",
        "level": "beginner",
        "prompt": "A prompt?",
        "reference_answer": "An answer.",
        "suggested_seconds": 120,
    } | overrides
    return Question(**values)


def test_question_numbers_and_slugs_are_unique(seeded):
    refused(lambda: new_question(number=1).save())
    refused(lambda: new_question(slug=Question.objects.get(number=1).slug).save())
    new_question().save()  # the values above are otherwise valid


def test_a_question_level_must_be_one_of_the_choices(seeded):
    refused(lambda: new_question(level="expert").save())


@pytest.mark.parametrize("seconds", [29, 3601])
def test_the_suggested_time_stays_within_30_to_3600_seconds(seeded, seconds):
    refused(lambda: new_question(suggested_seconds=seconds).save())


def test_key_point_orders_are_unique_per_question(seeded):
    question = Question.objects.get(number=1)
    refused(lambda: KeyPoint.objects.create(question=question, order=1, text="Again."))
    KeyPoint.objects.create(question=question, order=99, text="Fine.")


def test_a_rating_is_between_1_and_4(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    answered = answer(interview, 1, T0)
    for rating in (0, 5):
        refused(
            lambda rating=rating: SessionQuestion.objects.filter(pk=answered.pk).update(
                self_rating=rating
            )
        )
    SessionQuestion.objects.filter(pk=answered.pk).update(self_rating=Rating.EASY)


def test_an_unanswered_question_cannot_be_graded(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    refused(
        lambda: SessionQuestion.objects.filter(interview=interview, position=2).update(
            self_rating=Rating.GOOD
        )
    )


def test_one_answer_per_question_per_interview(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    existing = SessionQuestion.objects.get(interview=interview, position=1)
    existing.pk = None
    existing.position = 3
    refused(existing.save)


def test_an_answer_is_at_most_20000_characters(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    answered = answer(interview, 1, T0)
    refused(lambda: SessionQuestion.objects.filter(pk=answered.pk).update(answer_text="x" * 20_001))
    SessionQuestion.objects.filter(pk=answered.pk).update(answer_text="x" * 20_000)


def test_a_grade_note_is_at_most_5000_characters(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    answered = answer(interview, 1, T0, text="An answer.")
    refused(lambda: SessionQuestion.objects.filter(pk=answered.pk).update(note="x" * 5_001))
    SessionQuestion.objects.filter(pk=answered.pk).update(note="x" * 5_000)


def test_a_logged_rating_is_between_1_and_4(seeded, alice):
    interview = start(alice, [1, 2], now=T0)
    answered = answer(interview, 1, T0)
    card = ReviewCard.objects.create(user=alice, question=answered.question, due=timezone.now())
    entry = ReviewLogEntry(
        card=card,
        user=alice,
        item=answered,
        rating=5,
        review_datetime=T0 + timedelta(minutes=1),
        answered_on=T0.date(),
        covered_count=0,
        key_point_count=6,
        deck_next_due=T0,
    )
    refused(entry.save)
