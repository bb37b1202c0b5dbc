"""The grade step's suggestions, the question history's agreement, and the admin list of how
each key point's suggestions fared."""

import re

import pytest
from django.urls import reverse

from questions.models import Question
from sessions import engine, grading
from sessions.models import Rating, ShownKeyPoint
from tests.factories import T0, answer, item, start

RELU_AND_SIGMOID = (
    "ReLU is max(0, x), so negative inputs give zero.\n"
    "The sigmoid saturates, which makes gradients vanish in deep networks."
)


@pytest.fixture
def answered(seeded, alice):
    """Alice's answer to Q5 (7 key points), submitted, not graded; points 1 and 2 suggested."""
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text=RELU_AND_SIGMOID)
    assert [
        point.position for point in ShownKeyPoint.objects.filter(item=submitted, suggested=True)
    ] == [1, 2]
    return submitted


def review_url(item_) -> str:
    return reverse("interviews:review", args=[item_.interview_id, item_.position])


def grade_url(item_) -> str:
    return reverse("interviews:grade", args=[item_.interview_id, item_.position])


def ticked(page: str) -> list[int]:
    return [
        int(value)
        for value in re.findall(
            r'<input type="checkbox" name="key_points" value="(\d+)"[^>]*checked', page
        )
    ]


def test_the_grade_step_pre_ticks_the_suggestions_with_their_evidence(alice_client, answered):
    page = alice_client.get(review_url(answered)).text

    assert ticked(page) == [1, 2]
    assert page.count("suggested: confirm or untick") == 2
    assert "Ticked for you: the points your answer seems to cover" in page
    assert (
        '<q class="evidence-quote small" data-evidence-of="1">'
        "ReLU is max(0, x), so negative inputs give zero.</q>"
    ) in page
    assert (
        '<span class="evidence" data-evidence-for="1">'
        "ReLU is max(0, x), so negative inputs give zero.</span>"
    ) in page
    assert '<span class="evidence" data-evidence-for="2">The sigmoid saturates' in page
    # Two of seven ticked: the suggested rating follows the ticks, from the one rule.
    assert "Suggested from the key points you ticked: Again." in page
    assert 'data-rating-table="Again|Again|Again|Again|Hard|Hard|Good|Easy"' in page


def test_the_users_untick_is_what_counts(alice_client, answered):
    response = alice_client.post(grade_url(answered), {"key_points": ["2", "5"], "rating": "2"})

    assert response.status_code == 302
    points = {point.position: point for point in ShownKeyPoint.objects.filter(item=answered)}
    assert [position for position, point in points.items() if point.covered] == [2, 5]
    assert points[1].suggested and not points[1].covered
    assert answered.review.covered_count == 2
    # Reopened, the form shows the user's own ticks, still marking what was suggested.
    page = alice_client.get(review_url(answered)).text
    assert ticked(page) == [2, 5]
    assert page.count("suggested: confirm or untick") == 2


def test_an_answer_without_suggestions_opens_with_nothing_ticked(alice_client, seeded, alice):
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text="I would have to look this up.")

    page = alice_client.get(review_url(submitted)).text

    assert ticked(page) == []
    assert "suggested: confirm or untick" not in page
    assert "Ticked for you" not in page
    assert "Suggested from the key points you ticked: Again." in page


def test_the_answer_keeps_its_line_breaks_and_escapes_html(alice_client, seeded, alice):
    interview = start(alice, [5], now=T0)
    submitted = answer(interview, 1, T0, text="<b>ReLU</b> is max(0, x).\nSecond line.")

    page = alice_client.get(review_url(submitted)).text

    assert "&lt;b&gt;ReLU&lt;/b&gt; is max(0, x).</span>\nSecond line." in page


def test_another_users_grade_step_is_404_and_visitors_log_in(bob_client, client, answered):
    assert bob_client.get(review_url(answered)).status_code == 404
    assert client.get(review_url(answered)).status_code == 302


def test_the_question_history_says_how_often_the_user_agreed(alice_client, bob_client, answered):
    engine.grade(answered, Rating.HARD, {2, 5}, "", T0)
    history = reverse("progress:question_history", args=[Question.objects.get(number=5).slug])

    page = alice_client.get(history).text

    # Point 1 suggested and unticked, 2 kept, 5 ticked without a suggestion; 3, 4, 6, 7 agreed.
    assert "You agreed with the suggested key points 5 times out of 7" in page
    assert "you kept 1 suggestion, unticked 1, and ticked 1 point that was not suggested" in page
    assert "agreed with 5 of 7 suggestions" in page
    assert "agreed with" not in bob_client.get(history).text


# Admin


ADMIN_LIST = reverse("admin:interview_sessions_keypointsuggestions_changelist")


def test_admin_lists_how_often_each_key_points_suggestions_were_kept(admin_client, answered, bob):
    engine.grade(answered, Rating.HARD, {2, 5}, "", T0)
    other = start(bob, [5], now=T0)
    engine.grade(answer(other, 1, T0, text=RELU_AND_SIGMOID), Rating.HARD, {1, 2}, "", T0)
    # An answer not graded yet counts for nothing.
    start_item = answer(start(answered.interview.user, [1], T0), 1, T0, text="A bias.")
    assert start_item.self_rating is None

    response = admin_client.get(ADMIN_LIST, {"q": "ReLU is max", "o": "2"})

    rows = response.context["cl"].result_list
    relu = next(row for row in rows if row.question.number == 5)
    assert (relu._accepted, relu._rejected, relu._missed) == (1, 1, 0)
    assert relu._acceptance == 0.5
    assert "50%" in response.text


def test_admin_sorts_the_list_by_rejections(admin_client, answered):
    engine.grade(answered, Rating.HARD, {2}, "", T0)

    response = admin_client.get(ADMIN_LIST, {"o": "-3"})

    first = response.context["cl"].result_list[0]
    assert (first.question.number, first.order, first._rejected) == (5, 1, 1)


def test_the_admin_list_is_for_staff_only(alice_client):
    assert alice_client.get(ADMIN_LIST).status_code == 302


def test_the_admin_list_cannot_change_key_points(admin_client, seeded):
    assert "Add key-point suggestion" not in admin_client.get(ADMIN_LIST).text
    point = Question.objects.get(number=5).key_points.first()
    change = reverse("admin:interview_sessions_keypointsuggestions_change", args=[point.pk])
    assert admin_client.post(change, {"text": "Changed."}).status_code == 403


def test_grading_counts_agree_with_the_admin_and_history_sql(answered):
    engine.grade(answered, Rating.HARD, {2, 5}, "", T0)
    answered.refresh_from_db()
    points = list(item(answered.interview, 1).key_points.all())

    covered = [point.position for point in points if point.covered]

    assert grading.initial_ticks(answered, points) == covered == [2, 5]
