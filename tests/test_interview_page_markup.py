"""The interview pages' markup as a browser without the script, and assistive technology,
read it: hints, help texts, machine-readable times, one error per problem, wording."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from interviewprep.views import FRESH_CSRF_TOKEN_HEADER
from questions.models import MAX_SECONDS, MIN_SECONDS
from sessions import engine
from sessions.models import TimingMode
from tests.factories import T0, answer, item, start

NEW = reverse("interviews:new")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def described_ids(page: str) -> list[str]:
    return [
        described
        for ids in re.findall(r'aria-describedby="([^"]+)"', page)
        for described in ids.split()
    ]


def test_the_hints_that_need_the_script_are_hidden_without_it(alice_client, seeded, alice):
    interview = start(alice, [1, 2], T0)
    answer_page = alice_client.get(interview.get_absolute_url()).text
    answer(interview, 1, T0, text="Weighted sum.")
    grade_page = alice_client.get(interview.get_absolute_url()).text

    assert "{#" not in answer_page and "{#" not in grade_page  # no comment shown as text
    # Hidden by the stylesheet until the script marks the page (static/js/site.js), in room
    # kept for them, so that showing them moves nothing.
    assert "<span data-needs-script>Your draft is saved as you type.</span>" in answer_page
    assert (
        '<span class="muted small keyboard-hint" data-needs-script>Ctrl+Enter submits.</span>'
        in answer_page
    )
    assert (
        '<span class="muted small keyboard-hint" data-needs-script>'
        "Keys 1–4 choose a rating.</span>" in grade_page
    )


def test_every_help_text_a_field_points_at_exists(alice_client, seeded, alice):
    configure_page = alice_client.get(NEW).text
    interview = start(alice, [1, 2], T0)
    answer(interview, 1, T0, text="Weighted sum.")
    grade_page = alice_client.get(interview.get_absolute_url()).text

    assert "id_fixed_seconds_helptext" in described_ids(configure_page)
    assert "id_note_helptext" in described_ids(grade_page)
    for page in (configure_page, grade_page):
        for described in described_ids(page):
            assert f'id="{described}"' in page


def test_the_deadline_is_written_to_the_millisecond(alice_client, clock, seeded, alice):
    clock.move_to(T0 + timedelta(microseconds=123_456), tick=False)
    interview = start(alice, [1, 2], T0, timing_mode=TimingMode.FIXED, fixed_seconds=60)

    page = alice_client.get(interview.get_absolute_url()).text

    assert '<time datetime="2026-03-02T09:01:00.123+00:00">' in page
    assert 'data-deadline="2026-03-02T09:01:00.123+00:00"' in page
    assert 'data-grace-seconds="5"' in page


def test_each_step_names_the_page_and_says_what_it_is(alice_client, seeded, alice):
    interview = start(alice, [1, 2], T0)
    answer_page = alice_client.get(interview.get_absolute_url()).text
    answer(interview, 1, T0, text="Weighted sum.")
    grade_page = alice_client.get(interview.get_absolute_url()).text

    assert "<title>Question 1 of 2 · InterviewPrep</title>" in answer_page
    assert 'data-title="Question 1 of 2 · InterviewPrep"' in answer_page
    assert "<title>Grade question 1 of 2 · InterviewPrep</title>" in grade_page
    assert (
        'data-announcement="Answer 1 submitted: On time. '
        'Compare it with the reference answer and grade it."' in grade_page
    )


def test_a_refused_csrf_token_comes_back_with_the_current_one(alice, seeded):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    interview = start(alice, [1, 2], T0)
    page = csrf_client.get(interview.get_absolute_url())
    draft_url = reverse("interviews:autosave", args=[interview.pk, 1])

    refused = csrf_client.post(
        draft_url, {"answer": "Kept."}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="stale" * 8
    )
    fresh = refused.headers[FRESH_CSRF_TOKEN_HEADER]
    saved = csrf_client.post(
        draft_url, {"answer": "Kept."}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=fresh
    )

    assert page.status_code == 200
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert saved.status_code == 200
    assert item(interview, 1).draft == "Kept."


def fixed_time(seconds: str, mode: str = "fixed") -> dict:
    return {"question_count": "2", "timing_mode": mode, "fixed_seconds": seconds, "order": "random"}


def errors(page: str) -> list[str]:
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', page)


def test_too_few_fixed_seconds_is_one_error(alice_client, seeded):
    response = alice_client.post(NEW, fixed_time("10"))

    assert response.status_code == 200
    assert errors(response.text) == [
        f"Give at least {MIN_SECONDS} seconds (at most {MAX_SECONDS})."
    ]


def test_no_fixed_seconds_is_one_error(alice_client, seeded):
    response = alice_client.post(NEW, fixed_time(""))

    assert errors(response.text) == ["Choose how many seconds each question gets."]


def test_seconds_left_in_the_box_do_not_stop_an_interview_with_another_timing(
    alice_client, seeded, alice
):
    response = alice_client.post(NEW, fixed_time("10", mode="suggested"))

    interview = alice.interviews.get()
    assert response.status_code == 302
    assert interview.timing_mode == TimingMode.SUGGESTED
    assert interview.fixed_seconds is None


def test_the_summary_says_how_long_a_fixed_time_was(alice_client, seeded, alice):
    interview = start(alice, [1, 2], T0, timing_mode=TimingMode.FIXED, fixed_seconds=90)
    engine.abandon(interview, T0)

    page = alice_client.get(reverse("interviews:summary", args=[interview.pk])).text

    assert "A fixed time per question: 90 seconds" in page


def test_flash_messages_are_a_list_inside_a_status_region(alice_client, seeded, alice):
    start(alice, [1, 2], T0)

    page = alice_client.post(NEW, fixed_time("60")).text

    assert re.search(
        r'<div role="status">\s*<ul class="messages">\s*'
        r'<li class="message warning">You already have an interview in progress',
        page,
    )
    assert '<ul class="messages" role="status">' not in page
