"""The follow-up round: choosing the follow-up, its clock (the engine's, as for a question),
its steps on the interview page with and without JavaScript, and the summary; then "Retry
the ones I missed"."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from sessions import engine, follow_ups, scores
from sessions.follow_ups import FollowUpChoice, choose_follow_up
from sessions.models import (
    FinishState,
    FollowUpAnswer,
    FollowUpRating,
    InterviewStatus,
    Rating,
    TimingMode,
)
from tests.factories import T0, answer, grade, question, start

NEURON_FOLLOW_UPS = [
    "Why does a network need a non-linear activation?",
    "What does the bias term let a neuron do that its weights alone cannot?",
]


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def with_round(user, numbers=(1, 2), **overrides):
    return start(user, list(numbers), T0, follow_up_round=True, **overrides)


def follow_up(interview, position: int) -> FollowUpAnswer:
    return FollowUpAnswer.objects.select_related("interview", "item").get(
        interview=interview, item__position=position
    )


# Choosing the follow-up


def test_it_prefers_the_follow_up_about_a_missed_key_point():
    missed = [
        "Non-linear activations are essential; without them, stacked layers collapse.",
        "Modern neurons output continuous values.",
    ]
    assert choose_follow_up(NEURON_FOLLOW_UPS, missed) == FollowUpChoice(
        NEURON_FOLLOW_UPS[0], missed[0]
    )


def test_without_a_related_miss_it_asks_the_first_follow_up():
    assert choose_follow_up(NEURON_FOLLOW_UPS, []) == FollowUpChoice(NEURON_FOLLOW_UPS[0], "")
    assert choose_follow_up(NEURON_FOLLOW_UPS, ["Time series: ordered measurements."]) == (
        FollowUpChoice(NEURON_FOLLOW_UPS[0], "")
    )
    assert choose_follow_up([], ["Anything."]) is None


# The engine


def test_the_round_gives_each_question_a_follow_up_of_sixty_seconds(seeded, alice):
    interview = with_round(alice)

    assert interview.follow_up_seconds == engine.DEFAULT_FOLLOW_UP_SECONDS == 60
    assert [f.time_allowed for f in interview.follow_up_answers.all()] == [60, 60]
    assert all(f.prompt == "" for f in interview.follow_up_answers.all())


def test_an_untimed_interview_has_untimed_follow_ups(seeded, alice):
    interview = with_round(alice, timing_mode=TimingMode.UNTIMED)
    assert interview.follow_up_seconds is None
    assert [f.time_allowed for f in interview.follow_up_answers.all()] == [None, None]


def test_grading_chooses_the_follow_up_about_a_missed_key_point(seeded, alice):
    interview = with_round(alice)
    graded = grade(answer(interview, 1, T0), Rating.HARD, 3, T0)

    chosen = follow_up(interview, 1)
    # Of question 1's follow-ups, the one about stacked linear layers.
    assert chosen.prompt == question(1).follow_ups[0]
    assert "ReLU layers" in chosen.prompt
    assert chosen.key_point.startswith("Non-linear activations are essential")
    assert scores.current_item(list(interview.items.select_related("follow_up"))) == chosen
    assert graded.is_graded


def test_the_follow_up_runs_on_the_same_clock(seeded, alice, clock):
    interview = with_round(alice)
    grade(answer(interview, 1, T0), Rating.GOOD, 6, T0)
    asked = engine.show(follow_up(interview, 1), T0)
    assert asked.deadline == T0 + timedelta(seconds=60)
    assert engine.autosave(asked, "A draft of the follow-up.", T0 + timedelta(seconds=30))

    # Past the deadline and its grace period: the last draft counts, marked timed out.
    later = T0 + timedelta(seconds=60 + engine.grace_seconds() + 1)
    assert not engine.autosave(follow_up(interview, 1), "Too late.", later)
    expired = follow_up(interview, 1)
    assert expired.answer_text == "A draft of the follow-up."
    assert expired.finish_state == FinishState.TIMED_OUT
    assert expired.time_used == 60


def test_a_follow_up_sent_in_the_grace_period_is_late(seeded, alice):
    interview = with_round(alice)
    grade(answer(interview, 1, T0), Rating.GOOD, 6, T0)
    asked = engine.show(follow_up(interview, 1), T0)

    result = engine.submit(asked, "Because...", T0 + timedelta(seconds=62))

    assert result.accepted
    assert result.item.finish_state == FinishState.LATE
    replay = engine.submit(follow_up(interview, 1), "Again.", T0 + timedelta(seconds=63))
    assert not replay.accepted
    assert replay.item.answer_text == "Because..."


def test_the_interview_completes_once_its_follow_ups_are_final(seeded, alice):
    interview = with_round(alice, numbers=(1,))
    grade(answer(interview, 1, T0), Rating.GOOD, 6, T0)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.IN_PROGRESS

    engine.submit(engine.show(follow_up(interview, 1), T0), "Because.", T0)

    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    follow_ups.grade_follow_up(follow_up(interview, 1), FollowUpRating.PARTLY, T0)
    assert scores.current_item(list(interview.items.select_related("follow_up"))) is None


# The pages, without JavaScript: plain forms and redirects.


def test_a_two_question_interview_with_follow_ups_as_plain_forms(seeded, alice, alice_client):
    response = alice_client.post(
        reverse("interviews:new"),
        {
            "question_count": "2",
            "timing_mode": "fixed",
            "fixed_seconds": "120",
            "order": "random",
            "follow_up_round": "on",
            "follow_up_seconds": "60",
        },
    )
    interview = alice.interviews.get()
    assert interview.follow_up_round and interview.follow_up_seconds == 60
    play = interview.get_absolute_url()
    assert response.url == play
    for position in (1, 2):
        page = alice_client.get(play).text
        assert 'data-step="answer"' in page
        alice_client.post(
            reverse("interviews:submit", args=[interview.pk, position]), {"answer": "An answer."}
        )
        alice_client.post(
            reverse("interviews:grade", args=[interview.pk, position]),
            {"rating": "2", "key_points": ["1"]},
        )
        page = alice_client.get(play).text
        asked = follow_up(interview, position)
        assert 'data-step="follow-up-answer"' in page
        assert f"Follow-up to question {position} of 2" in page
        assert html.escape(asked.prompt) in page
        assert 'data-deadline="' in page and "60 seconds for this answer" in page
        alice_client.post(
            reverse("interviews:follow_up_submit", args=[interview.pk, position]),
            {"answer": f"Follow-up answer {position}."},
        )
        page = alice_client.get(play).text
        assert 'data-step="follow-up-grade"' in page
        assert f"Follow-up answer {position}." in page
        alice_client.post(
            reverse("interviews:follow_up_grade", args=[interview.pk, position]), {"rating": "3"}
        )
    assert alice_client.get(play).url == reverse("interviews:summary", args=[interview.pk])
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED

    summary = alice_client.get(reverse("interviews:summary", args=[interview.pk])).text
    assert "Follow-ups" in summary
    for position in (1, 2):
        assert html.escape(follow_up(interview, position).prompt) in summary
        assert f"Follow-up answer {position}." in summary
    assert summary.count("Answered it well") == 2


def test_the_follow_up_pages_are_the_owners_alone(seeded, alice, alice_client, bob_client, client):
    interview = with_round(alice)
    grade(answer(interview, 1, T0), Rating.GOOD, 6, T0)
    engine.show(follow_up(interview, 1), T0)
    urls = [
        (reverse("interviews:follow_up_autosave", args=[interview.pk, 1]), {"answer": "x"}),
        (reverse("interviews:follow_up_submit", args=[interview.pk, 1]), {"answer": "x"}),
        (reverse("interviews:follow_up_grade", args=[interview.pk, 1]), {"rating": "1"}),
    ]
    for url, data in urls:
        assert bob_client.post(url, data).status_code == 404
        assert client.post(url, data).status_code == 302  # to the log-in page
        assert reverse("login") in client.post(url, data).url
    assert follow_up(interview, 1).draft == ""

    assert alice_client.post(*urls[0]).status_code == 302
    assert follow_up(interview, 1).draft == "x"


def test_the_config_form_says_how_long_a_follow_up_may_be(seeded, alice_client):
    page = alice_client.post(
        reverse("interviews:new"),
        {
            "question_count": "2",
            "timing_mode": "suggested",
            "order": "random",
            "follow_up_round": "on",
            "follow_up_seconds": "5",
        },
    ).text
    assert "Give at least 30 seconds" in page
    # Without the round, the seconds are no reason to refuse.
    response = alice_client.post(
        reverse("interviews:new"),
        {
            "question_count": "2",
            "timing_mode": "suggested",
            "order": "random",
            "follow_up_seconds": "5",
        },
    )
    assert response.status_code == 302


# Retry the ones I missed


def test_retry_starts_an_interview_of_the_missed_questions(seeded, alice, alice_client, bob_client):
    interview = start(alice, [1, 2, 3, 4], T0, timing_mode=TimingMode.FIXED, fixed_seconds=90)
    grade(answer(interview, 1, T0), Rating.AGAIN, 6, T0)  # Again
    grade(answer(interview, 2, T0), Rating.GOOD, 6, T0)  # known
    grade(answer(interview, 3, T0), Rating.GOOD, 2, T0)  # under half of the key points
    grade(answer(interview, 4, T0), Rating.HARD, 5, T0)  # Hard
    summary_url = reverse("interviews:summary", args=[interview.pk])
    page = alice_client.get(summary_url).text
    assert "3 questions missed" in page
    assert "Retry the ones I missed" in page
    retry_url = reverse("interviews:retry_missed", args=[interview.pk])

    assert bob_client.post(retry_url).status_code == 404
    response = alice_client.post(retry_url)

    retry = alice.interviews.exclude(pk=interview.pk).get()
    assert response.url == retry.get_absolute_url()
    assert [i.question for i in retry.items.order_by("position")] == [
        question(1),
        question(3),
        question(4),
    ]
    assert retry.timing_mode == TimingMode.FIXED and retry.fixed_seconds == 90


def test_nothing_missed_offers_no_retry(seeded, alice, alice_client):
    interview = start(alice, [1], T0)
    grade(answer(interview, 1, T0), Rating.EASY, 6, T0)

    page = alice_client.get(reverse("interviews:summary", args=[interview.pk])).text
    response = alice_client.post(reverse("interviews:retry_missed", args=[interview.pk]))

    assert "Retry the ones I missed" not in page
    assert response.url == reverse("interviews:summary", args=[interview.pk])
    assert alice.interviews.count() == 1


def test_the_json_export_holds_the_follow_ups(seeded, alice, alice_client):
    interview = with_round(alice, numbers=(1,))
    grade(answer(interview, 1, T0), Rating.HARD, 3, T0)
    engine.submit(engine.show(follow_up(interview, 1), T0), "Because.", T0)
    follow_ups.grade_follow_up(follow_up(interview, 1), FollowUpRating.WELL, T0)

    data = alice_client.get(reverse("export_data")).json()

    exported = data["interviews"][0]
    assert exported["follow_up_round"] is True
    assert exported["questions"][0]["follow_up"]["prompt"] == question(1).follow_ups[0]
    assert exported["questions"][0]["follow_up"]["answer"] == "Because."
    assert exported["questions"][0]["follow_up"]["self_rating"] == FollowUpRating.WELL
