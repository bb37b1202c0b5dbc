"""In the browser: the interview page never loses typed text (a rotated CSRF token, debug
mode's error pages, a server that is down when the time runs out), it promises nothing its
script does not do, and focus, announcements and the title follow each htmx step."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sessions import engine
from sessions.models import FinishState, InterviewSession, SessionQuestion, TimingMode
from tests.e2e.browser import log_in
from tests.factories import item, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE_TIMEOUT_MS = 5_000


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def open_interview(page: Page, base_url: str, interview: InterviewSession) -> None:
    page.goto(f"{base_url}{interview.get_absolute_url()}")
    expect(page.locator("#step")).to_have_attribute("data-step", "answer")


def answer_box(page: Page):
    return page.get_by_label("Your answer")


def save_status(page: Page):
    return page.locator("#save-status")


def test_a_save_after_logging_in_again_in_another_tab_succeeds(
    page: Page, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    log_in(page, live_server.url, "alice", password)
    open_interview(page, live_server.url, interview)

    # A second tab of the same browser logs out and in: the CSRF token is rotated.
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/")
    log_out(other_tab)
    log_in(other_tab, live_server.url, "alice", password)
    other_tab.close()

    answer_box(page).fill("Typed after logging in again elsewhere.")
    page.get_by_role("button", name="Save draft").click()
    expect(save_status(page)).to_contain_text("Saved at", timeout=SAVE_TIMEOUT_MS)
    assert item(interview, 1).draft == "Typed after logging in again elsewhere."

    # The submission uses the new token too, with no second refusal.
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    assert item(interview, 1).answer_text == "Typed after logging in again elsewhere."


def test_with_debug_on_a_refused_save_keeps_the_page_and_the_text(
    page: Page, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    with override_settings(DEBUG=True):
        log_in(page, live_server.url, "alice", password)
        open_interview(page, live_server.url, interview)
        # Debug mode brings django-htmx's handler that swaps error pages in.
        expect(page.locator('script[src$="django-htmx.js"]')).to_have_count(1)
        # The interview is gone (deleted from another tab): every save is refused with 404.
        InterviewSession.objects.filter(pk=interview.pk).delete()

        answer_box(page).fill("Text that must stay on the page.")
        page.get_by_role("button", name="Save draft").click()

        expect(save_status(page)).to_contain_text("Not saved: the server refused it (404)")
        expect(answer_box(page)).to_have_value("Text that must stay on the page.")
        page.get_by_role("button", name="Submit answer").click()
        expect(save_status(page)).to_contain_text("Not saved: the server refused it (404)")
        expect(answer_box(page)).to_have_value("Text that must stay on the page.")
        expect(page.locator("#step")).to_be_visible()


def test_without_javascript_the_page_promises_no_saving_as_you_type(
    browser: Browser, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    for scripts in (False, True):
        context = browser.new_context(java_script_enabled=scripts)
        page = context.new_page()
        log_in(page, live_server.url, "alice", password)
        page.goto(f"{live_server.url}{interview.get_absolute_url()}")
        promises = [
            page.get_by_text("Your draft is saved as you type."),
            page.get_by_text("Ctrl+Enter submits."),
        ]
        for promise in promises:
            if scripts:
                expect(promise).to_be_visible()
            else:
                expect(promise).to_be_hidden()
        context.close()


def shown_seconds_ago(interview: InterviewSession, seconds: int) -> None:
    """Put question 1 on screen `seconds` ago, so that its time runs out soon."""
    engine.show(item(interview, 1), timezone.now() - timedelta(seconds=seconds))


def test_the_submission_at_zero_is_sent_again_until_the_server_answers(
    page: Page, live_server, seeded, alice, password, settings
):
    settings.INTERVIEW_GRACE_SECONDS = 6
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.FIXED, fixed_seconds=30)
    log_in(page, live_server.url, "alice", password)
    shown_seconds_ago(interview, 26)
    open_interview(page, live_server.url, interview)
    # The first two submissions meet a server that is down.
    refused = []

    def down_twice(route):
        if len(refused) < 2:
            refused.append(route.request.url)
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route("**/answer/", down_twice)
    answer_box(page).fill("Written but never saved as a draft.")

    expect(save_status(page)).to_contain_text("trying again to send your answer", timeout=10_000)
    expect(page.locator("#step")).to_have_attribute("data-step", "grade", timeout=10_000)
    assert len(refused) == 2
    submitted = item(interview, 1)
    assert submitted.answer_text == "Written but never saved as a draft."
    assert submitted.finish_state == FinishState.TIMED_OUT


def test_when_the_server_stays_down_past_the_grace_period_the_page_says_so(
    page: Page, live_server, seeded, alice, password, settings
):
    settings.INTERVIEW_GRACE_SECONDS = 2
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.FIXED, fixed_seconds=30)
    log_in(page, live_server.url, "alice", password)
    shown_seconds_ago(interview, 28)
    open_interview(page, live_server.url, interview)
    page.route("**/answer/", lambda route: route.abort("connectionrefused"))
    answer_box(page).fill("Kept on screen to copy.")

    expect(save_status(page)).to_contain_text(
        "your last saved draft counts as your answer", timeout=10_000
    )
    expect(answer_box(page)).to_have_value("Kept on screen to copy.")


def test_an_autosave_that_fails_is_sent_again(page: Page, live_server, seeded, alice, password):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    log_in(page, live_server.url, "alice", password)
    open_interview(page, live_server.url, interview)
    server = {"down": True}
    page.route(
        "**/draft/",
        lambda route: route.abort("connectionrefused") if server["down"] else route.continue_(),
    )
    answer_box(page).fill("A draft sent again.")

    expect(save_status(page)).to_contain_text("trying again to send your draft")
    server["down"] = False
    # Nothing typed since: the page sends the draft again by itself.
    expect(save_status(page)).to_contain_text("Saved at", timeout=SAVE_TIMEOUT_MS)
    assert item(interview, 1).draft == "A draft sent again."


def active_element(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className; }"
    )


def test_focus_the_title_and_an_announcement_follow_each_step(
    page: Page, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    prompts = [
        sq.question.prompt
        for sq in SessionQuestion.objects.filter(interview=interview).order_by("position")
    ]
    log_in(page, live_server.url, "alice", password)
    open_interview(page, live_server.url, interview)
    announcer = page.locator("[data-step-announcer]")
    expect(page).to_have_title("Question 1 of 2 · InterviewPrep")

    # Submit: focus on the grade step's heading, which is the question.
    answer_box(page).fill("First answer.")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert active_element(page) == "h1.prompt"
    expect(page).to_have_title("Grade question 1 of 2 · InterviewPrep")
    expect(announcer).to_have_text(
        "Answer 1 submitted: Untimed. Compare it with the reference answer and grade it."
    )
    # The next Tab stays in the step: the first key point.
    page.keyboard.press("Tab")
    expect(page.locator('input[name="key_points"]').first).to_be_focused()

    # Save grade: focus in the next question's answer box.
    page.locator(".rating-choices label", has_text="Good").click()
    page.get_by_role("button", name="Save grade and go on").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "answer")
    expect(answer_box(page)).to_be_focused()
    expect(page).to_have_title("Question 2 of 2 · InterviewPrep")
    expect(announcer).to_have_text(f"Question 2 of 2: {prompts[1]}")

    # Ctrl+Enter.
    answer_box(page).fill("Second answer.")
    answer_box(page).press("Control+Enter")
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page).to_have_title("Grade question 2 of 2 · InterviewPrep")


def test_show_the_answer_anyway_moves_focus_to_the_answer(
    page: Page, live_server, seeded, alice, password
):
    log_in(page, live_server.url, "alice", password)
    page.goto(f"{live_server.url}{reverse('questions:list')}")
    page.locator(".question-link").first.click()
    page.get_by_role("link", name="Show the answer anyway").click()
    expect(page.get_by_role("heading", name="Reference answer")).to_be_focused()


def test_ctrl_enter_in_an_empty_answer_box_asks_first(
    page: Page, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    log_in(page, live_server.url, "alice", password)
    open_interview(page, live_server.url, interview)

    answer_box(page).press("Control+Enter")
    expect(save_status(page)).to_contain_text("The answer box is empty. Press Ctrl+Enter again")
    expect(page.locator("#step")).to_have_attribute("data-step", "answer")
    assert not item(interview, 1).is_finalised

    # Typing something and clearing it asks again; a second Ctrl+Enter at once submits.
    answer_box(page).press_sequentially("x")
    answer_box(page).press("Backspace")
    answer_box(page).press("Control+Enter")
    expect(page.locator("#step")).to_have_attribute("data-step", "answer")
    answer_box(page).press("Control+Enter")
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    assert item(interview, 1).answer_text == ""


def test_an_autosave_refused_for_a_rotated_token_is_sent_again_by_itself(
    page: Page, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    log_in(page, live_server.url, "alice", password)
    open_interview(page, live_server.url, interview)
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/")
    log_out(other_tab)
    log_in(other_tab, live_server.url, "alice", password)
    other_tab.close()
    refused = []
    page.on("response", lambda response: response.status == 403 and refused.append(response.url))

    # One input event, then nothing: the save as you type is refused once and sent again.
    answer_box(page).fill("Saved as I typed, with the new token.")

    expect(save_status(page)).to_contain_text("Saved at", timeout=SAVE_TIMEOUT_MS)
    assert len(refused) == 1
    assert item(interview, 1).draft == "Saved as I typed, with the new token."
