"""sessions.grading: the rating table, evidence segments, and the suggestions stored with
each answer once it is final, whichever way it became final."""

from datetime import timedelta

import pytest

from questions.models import KeyPoint
from sessions import engine, grading
from sessions.feedback import suggestions
from sessions.models import Rating, SessionQuestion, ShownKeyPoint
from tests.factories import T0, answer, item, start

# Q5 (ReLU and sigmoid): key point 1 is ReLU's definition, 2 the sigmoid saturating.
RELU_AND_SIGMOID = (
    "ReLU is max(0, x), so negative inputs give zero. "
    "The sigmoid saturates, which makes gradients vanish in deep networks."
)


def shown(item_: SessionQuestion) -> list[ShownKeyPoint]:
    return list(ShownKeyPoint.objects.filter(item=item_).order_by("position"))


def test_the_rating_table_gives_the_label_for_each_number_ticked():
    assert grading.rating_table(4) == ["Again", "Again", "Hard", "Good", "Easy"]
    assert grading.rating_table(0) == ["Good"]
    for total in range(8):
        assert grading.rating_table(total) == [
            Rating(grading.suggested_rating(covered, total)).label for covered in range(total + 1)
        ]


def test_evidence_segments_mark_each_suggestions_sentence():
    text = "One. Two three. Four."
    points = [
        ShownKeyPoint(position=1, suggested=True, evidence_start=5, evidence_end=15),
        ShownKeyPoint(position=2, suggested=True, evidence_start=0, evidence_end=15),
        ShownKeyPoint(position=3, suggested=False),
    ]

    segments = suggestions.evidence_segments(text, points)

    assert segments == [("One. ", "2"), ("Two three.", "1 2"), (" Four.", "")]
    assert "".join(segment for segment, _ in segments) == text


def test_a_submitted_answer_stores_a_suggestion_for_every_key_point(seeded, alice):
    interview = start(alice, [5], now=T0)

    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)

    points = shown(submitted)
    assert [point.suggested for point in points][:2] == [True, True]
    assert all(point.suggested is not None for point in points)
    assert all(0 <= point.suggestion_score <= 1 for point in points)
    first = points[0]
    assert RELU_AND_SIGMOID[first.evidence_start : first.evidence_end] == (
        "ReLU is max(0, x), so negative inputs give zero."
    )
    assert points[1].evidence.startswith("The sigmoid saturates")
    assert all(point.evidence_start is None for point in points if not point.suggested)
    # The user's ticks are untouched: suggestions are only suggestions.
    assert not any(point.covered for point in points)


def test_an_answer_that_ran_out_stores_suggestions(seeded, alice):
    interview = start(alice, [5], now=T0)
    shown_item = engine.show(item(interview, 1), T0)

    engine.submit(shown_item, RELU_AND_SIGMOID, shown_item.deadline, ran_out=True)

    assert shown(item(interview, 1))[0].suggested is True


def test_a_draft_finalised_after_the_deadline_stores_suggestions(seeded, alice):
    interview = start(alice, [5, 1], now=T0)
    shown_item = engine.show(item(interview, 1), T0)
    engine.autosave(shown_item, RELU_AND_SIGMOID, T0)

    engine.finalise_expired(interview, T0 + timedelta(hours=1))

    points = shown(item(interview, 1))
    assert [point.suggested for point in points][:2] == [True, True]
    assert all(point.suggested is None for point in shown(item(interview, 2)))


def test_the_cron_job_stores_suggestions_for_what_it_finalises(seeded, alice, bob):
    for user in (alice, bob):
        interview = start(user, [5], now=T0)
        engine.autosave(engine.show(item(interview, 1), T0), RELU_AND_SIGMOID, T0)

    engine.close_expired_interviews(T0 + timedelta(hours=1))

    assert ShownKeyPoint.objects.filter(suggested__isnull=True).count() == 0
    assert ShownKeyPoint.objects.filter(position=1, suggested=True).count() == 2


def test_suggestions_are_decided_once(seeded, alice):
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)

    assert suggestions.record_suggestions(SessionQuestion.objects.filter(pk=submitted.pk)) == 0


def test_an_answer_not_yet_final_gets_no_suggestions(seeded, alice):
    interview = start(alice, [5], now=T0)
    engine.autosave(engine.show(item(interview, 1), T0), RELU_AND_SIGMOID, T0)

    assert suggestions.record_suggestions(interview.items.all()) == 0
    assert all(point.suggested is None for point in shown(item(interview, 1)))


def test_the_cues_are_kept_as_they_were_when_the_interview_started(seeded, alice):
    interview = start(alice, [5], now=T0)
    KeyPoint.objects.filter(question__number=5).update(cues=["something nobody writes"])

    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)

    points = shown(submitted)
    assert points[0].cues == KeyPoint(cues=points[0].cues).cues != ["something nobody writes"]
    assert points[0].suggested is True


def test_the_form_opens_with_the_suggestions_then_with_the_users_own_ticks(seeded, alice):
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)
    points = shown(submitted)
    suggested = [point.position for point in points if point.suggested]

    assert grading.initial_ticks(submitted, points) == suggested

    engine.grade(submitted, Rating.HARD, {1, 4}, "", T0)
    submitted.refresh_from_db()

    assert grading.initial_ticks(submitted, shown(submitted)) == [1, 4]


def test_the_users_ticks_not_the_suggestions_reach_the_review_log(seeded, alice):
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)

    engine.grade(submitted, Rating.AGAIN, {2}, "", T0)

    entry = submitted.review
    assert (entry.covered_count, entry.key_point_count) == (1, 7)
    agreement = ShownKeyPoint.objects.filter(item=submitted).aggregate(**suggestions.AGREEMENT)
    assert agreement == {"accepted": 1, "rejected": 1, "missed": 0, "agreed": 6, "decided": 7}


@pytest.mark.parametrize(
    "values",
    [
        {"suggestion_score": 1.5},
        {"suggestion_score": -0.1},
        {"suggested": False, "evidence_start": 0, "evidence_end": 5},
        {"suggested": True, "evidence_start": 9, "evidence_end": 5},
        {"suggested": True, "evidence_start": 0, "evidence_end": None},
    ],
    ids=[
        "score-over-1",
        "score-below-0",
        "evidence-without-suggestion",
        "span-backwards",
        "half-span",
    ],
)
def test_the_database_refuses_an_impossible_suggestion(seeded, alice, values):
    from django.db import IntegrityError, transaction

    interview = start(alice, [5], now=T0)
    point = ShownKeyPoint.objects.filter(item__interview=interview).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        ShownKeyPoint.objects.filter(pk=point.pk).update(**values)
