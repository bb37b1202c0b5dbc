"""Common misconceptions: stored with the question, copied with each interview, found in a
final answer, shown on the grade step (the point they contradict not ticked, and why), on
the question's page after answering and on the dashboard; and kept in admin."""

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse

from questions.models import Misconception, Question
from sessions.feedback.misconceptions import detect_feedback
from sessions.models import Rating, ShownKeyPoint, ShownMisconception
from tests.factories import T0, answer, change_form_data, grade, question, record_answer, start

# Q9's first misconception, "cross-validation prevents overfitting", contradicts its seventh
# key point ("cross-validation estimates generalisation ...; it does not itself prevent
# overfitting").
CROSS_VALIDATION = (
    "Overfitting means low training error but a much higher validation error.\n"
    "Cross-validation prevents overfitting, so with k folds you need no other regulariser."
)
STATED = "Cross-validation prevents overfitting, so with k folds you need no other regulariser."


@pytest.fixture
def stated(seeded, alice):
    """Alice's answer to Q9, submitted, not graded, stating its first misconception."""
    interview = start(alice, [9], now=T0)
    return answer(interview, 1, T0, text=CROSS_VALIDATION)


def review_url(item_) -> str:
    return reverse("interviews:review", args=[item_.interview_id, item_.position])


def ticked(page: str) -> list[int]:
    pattern = r'<input type="checkbox" name="key_points" value="(\d+)"[^>]*checked'
    return [int(value) for value in re.findall(pattern, page)]


def test_every_question_of_the_bank_has_three_to_five_misconceptions(seeded):
    for each in Question.objects.prefetch_related("misconceptions", "key_points"):
        wrongs = list(each.misconceptions.all())
        assert 3 <= len(wrongs) <= 5, each
        points = each.key_points.count()
        for wrong in wrongs:
            assert 1 <= wrong.contradicts <= points, wrong
            assert wrong.claim and wrong.why_wrong and wrong.correction and wrong.cues, wrong
    assert 90 <= Misconception.objects.count() <= 150


def test_the_database_refuses_a_misconception_contradicting_no_key_point(seeded):
    with pytest.raises(IntegrityError):
        Misconception.objects.create(
            question=question(1), order=9, claim="x", why_wrong="y", correction="z", contradicts=0
        )


def test_an_interview_keeps_the_misconceptions_as_they_were(stated):
    shown = list(ShownMisconception.objects.filter(item=stated))
    bank = list(question(9).misconceptions.all())
    assert [(wrong.position, wrong.claim) for wrong in shown] == [
        (position, wrong.claim) for position, wrong in enumerate(bank, start=1)
    ]
    assert shown[0].cues == bank[0].cues and shown[0].contradicts == bank[0].contradicts == 7

    Misconception.objects.filter(question__number=9).update(claim="Edited later.")

    assert ShownMisconception.objects.get(item=stated, position=1).claim == bank[0].claim


def test_a_final_answer_records_the_misconception_it_states_and_its_sentence(stated):
    first = ShownMisconception.objects.get(item=stated, position=1)
    assert first.stated is True
    assert first.evidence == STATED
    others = ShownMisconception.objects.filter(item=stated).exclude(position=1)
    assert others and all(wrong.stated is False for wrong in others)
    assert all(wrong.evidence_start is None for wrong in others)
    # The point it contradicts is not suggested, though the answer names its words.
    assert ShownKeyPoint.objects.get(item=stated, position=7).suggested is False


def test_the_grade_step_quotes_the_misconception_and_does_not_tick_its_point(alice_client, stated):
    page = alice_client.get(review_url(stated)).text

    assert "Your answer seems to say:" in page
    assert f'<q class="evidence-quote" data-evidence-of="m1">{STATED}</q>' in page
    assert "a common misconception: <strong>Cross-validation prevents overfitting" in page
    wrong = question(9).misconceptions.get(order=1)
    assert html.escape(wrong.correction) in page
    assert html.escape(wrong.why_wrong) in page
    assert f'<span class="evidence" data-evidence-for="m1">{STATED}</span>' in page
    assert 7 not in ticked(page)
    point = re.search(r'<li data-key-point="7".*?</li>', page, re.S).group(0)
    assert "not ticked for you" in point
    assert '<a href="#misconception-1">a common misconception</a>' in point


def test_the_grade_step_without_a_misconception_shows_none(alice_client, seeded, alice):
    interview = start(alice, [9], now=T0)
    plain = answer(interview, 1, T0, text=CROSS_VALIDATION.splitlines()[0])

    page = alice_client.get(review_url(plain)).text

    assert "Your answer seems to say:" not in page
    assert "not ticked for you" not in page


def test_another_users_grade_step_is_404_and_visitors_log_in(bob_client, client, stated):
    assert bob_client.get(review_url(stated)).status_code == 404
    response = client.get(review_url(stated))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_user_may_still_tick_the_contradicted_point(alice_client, stated):
    response = alice_client.post(
        reverse("interviews:grade", args=[stated.interview_id, stated.position]),
        {"key_points": ["1", "7"], "rating": "3"},
    )

    assert response.status_code == 302
    assert ShownKeyPoint.objects.get(item=stated, position=7).covered


def test_the_question_page_lists_its_misconceptions_after_answering(
    alice_client, bob_client, client, seeded, alice
):
    dropout = question(8)
    url = reverse("questions:detail", args=[dropout.slug])
    claims = [html.escape(wrong.claim) for wrong in dropout.misconceptions.all()]

    before = alice_client.get(url).text
    assert "Common misconceptions" not in before
    record_answer(alice, dropout)
    after = alice_client.get(url).text

    assert "Common misconceptions" in after
    assert after.index("Reference answer") < after.index("Common misconceptions")
    assert all(claim in after for claim in claims)
    assert "Common misconceptions" not in bob_client.get(url).text
    assert client.get(url).status_code == 302


def test_the_dashboard_lists_the_misconceptions_stated_most(alice_client, bob_client, stated):
    assert "Misconceptions you stated most" not in alice_client.get("/").text
    grade(stated, Rating.HARD, 2, T0)
    again = answer(start(stated.interview.user, [9], now=T0), 1, T0, text=CROSS_VALIDATION)
    grade(again, Rating.GOOD, 3, T0)

    page = alice_client.get("/").text

    assert "Misconceptions you stated most" in page
    section = page[page.index("Misconceptions you stated most") :]
    assert "Cross-validation prevents overfitting" in section
    assert "in 2 answers" in section
    assert f'href="{reverse("questions:detail", args=[question(9).slug])}"' in section
    assert "Misconceptions you stated most" not in bob_client.get("/").text


def test_admin_shows_and_saves_the_misconceptions_inline(admin_client, seeded):
    dropout = question(8)
    url = reverse("admin:questions_question_change", args=[dropout.pk])
    page = admin_client.get(url).text
    assert 'name="misconceptions-TOTAL_FORMS"' in page
    assert html.escape(dropout.misconceptions.get(order=1).claim) in page

    data = change_form_data(dropout)
    data["misconceptions-0-claim"] = "Dropout makes the final network smaller."
    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert dropout.misconceptions.get(order=1).claim == "Dropout makes the final network smaller."


def test_admin_refuses_a_misconception_contradicting_a_missing_key_point(admin_client, seeded):
    dropout = question(8)
    points = dropout.key_points.count()
    data = change_form_data(dropout)
    data["misconceptions-0-contradicts"] = points + 1

    response = admin_client.post(
        reverse("admin:questions_question_change", args=[dropout.pk]), data
    )

    assert response.status_code == 200
    assert f"The question has {points} key points; give the place of one of them." in (
        response.text
    )
    assert dropout.misconceptions.get(order=1).contradicts <= points


def bank_file() -> list[dict]:
    return json.loads((Path(settings.BASE_DIR) / "fixtures" / "questions.json").read_text())[
        "questions"
    ]


def feedback_on(text: str, record: dict):
    return detect_feedback(
        text,
        [(point["cues"], point["text"]) for point in record["key_points"]],
        [(wrong["cues"], wrong["contradicts"]) for wrong in record["misconceptions"]],
    )


def test_every_misconception_of_the_bank_is_found_in_its_own_claim():
    for record in bank_file():
        for position, wrong in enumerate(record["misconceptions"], start=1):
            found = feedback_on(wrong["claim"], record)
            assert position in found.stated, (record["number"], wrong["claim"])


def test_no_reference_answer_states_a_misconception_of_its_question():
    # A misconception's cues that fire on the reference answer would warn every candidate
    # who answers well (Q29's "kernel SVMs train quickly on millions of examples" once fired
    # on "... impractical for millions of examples; linear SVMs scale well").
    for record in bank_file():
        stated = feedback_on(record["reference_answer"], record).stated
        claims = [record["misconceptions"][position - 1]["claim"] for position in stated]
        assert not claims, (record["number"], claims)
