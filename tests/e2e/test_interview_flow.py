"""In the browser: a timed mock interview from start to summary, and resuming one after
logging out and in again."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sessions.models import FinishState, SessionQuestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
# The fixed time per question (the minimum allowed) and how long to wait for it to run out:
# the page submits by itself at zero, so this only needs a margin over FIXED_SECONDS.
FIXED_SECONDS = 30
RUN_OUT_TIMEOUT_MS = (FIXED_SECONDS + 15) * 1000
SAVE_TIMEOUT_MS = 5_000


def sign_up(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)


def log_in(page: Page, username: str, password: str) -> None:
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)


def step(page: Page):
    return page.locator("#step")


def expect_answer_step(page: Page, position: int, count: int) -> None:
    expect(step(page)).to_have_attribute("data-step", "answer")
    expect(step(page).locator(".progress-label")).to_contain_text(f"Question {position} of {count}")


def expect_grade_step(page: Page, position: int, badge: str, timeout: float = 5_000) -> None:
    expect(step(page)).to_have_attribute("data-step", "grade", timeout=timeout)
    expect(step(page).locator(".progress-label")).to_contain_text(f"Question {position} of 3")
    expect(step(page).locator(".result-meta .badge")).to_have_text(badge)
    expect(page.get_by_role("heading", name="Reference answer")).to_be_visible()
    expect(
        page.locator(".grade-form .key-point-choices input[name=key_points]").first
    ).to_be_visible()


def type_draft_and_wait_for_save(page: Page, text: str) -> None:
    answer = page.get_by_label("Your answer")
    answer.press_sequentially(text, delay=5)
    expect(answer).to_have_value(text)
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=SAVE_TIMEOUT_MS)


def tick_key_points(page: Page, how_many: int) -> int:
    """Leave exactly the first `how_many` key points ticked, clicking their labels (the
    points the answer seems to cover arrive ticked); return how many exist."""
    points = page.locator(".key-point-choices li")
    total = points.count()
    assert total >= how_many
    for index in range(total):
        box = points.nth(index).locator("input")
        if box.is_checked() != (index < how_many):
            points.nth(index).locator("label").click()
        if index < how_many:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
    return total


def choose_rating_by_clicking(page: Page, name: str) -> None:
    # Only the rating's own label: the suggestion below the ratings may name one too.
    page.locator(".rating-choices label", has_text=name).click()


def rating_group(page: Page):
    return page.get_by_role("group", name="How well did you know it?")


def test_a_fixed_time_interview_from_configuration_to_summary(page: Page, live_server, seeded):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_up(page, live_server.url, "fran", "a-long-unusual-passphrase")

    # Configure: three advanced questions, 30 seconds each.
    page.get_by_role("link", name="Start a mock interview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a mock interview")
    page.get_by_label("Advanced", exact=True).check()
    page.get_by_label("How many questions").fill("3")
    page.get_by_label("A fixed time per question").check()
    page.get_by_label("Seconds per question").fill(str(FIXED_SECONDS))
    page.get_by_role("button", name="Start the interview").click()

    # Question 1: answered on time.
    expect_answer_step(page, 1, 3)
    expect(step(page).locator(".badge.advanced")).to_have_text("Advanced")
    expect(page.locator(".deadline-rule")).to_contain_text(f"{FIXED_SECONDS} seconds")
    expect(page.locator(".countdown-display")).to_contain_text("left")
    first_answer = "A Bayesian network keeps a distribution over its weights."
    page.get_by_label("Your answer").fill(first_answer)
    page.screenshot(path=str(SHOTS / "answer-step.png"), full_page=True)
    page.get_by_role("button", name="Submit answer").click()

    expect_grade_step(page, 1, "On time")
    expect(page.locator(".answer-text")).to_contain_text(first_answer)
    expect(page.locator(".prose")).not_to_be_empty()
    first_total = tick_key_points(page, 2)
    expect(page.locator("[data-suggested-rating]")).to_contain_text("Suggested from the key points")
    choose_rating_by_clicking(page, "Good")
    expect(rating_group(page).get_by_role("radio", name="Good")).to_be_checked()
    page.screenshot(path=str(SHOTS / "grade-step.png"), full_page=True)
    page.get_by_role("button", name="Save grade and go on").click()

    # Question 2: a draft is saved, then the time runs out and the page submits by itself.
    expect_answer_step(page, 2, 3)
    draft = "Half-finished thought about attention"
    type_draft_and_wait_for_save(page, draft)
    # Screen readers hear it when ten seconds are left.
    announcer = page.locator("[data-countdown-announcer]")
    expect(announcer).to_have_text("Ten seconds left.", timeout=RUN_OUT_TIMEOUT_MS)
    expect_grade_step(page, 2, "Ran out of time", timeout=RUN_OUT_TIMEOUT_MS)
    expect(page.locator(".answer-text")).to_contain_text(draft)
    expect(page.locator(".result-meta")).to_contain_text(
        f"Time used: {FIXED_SECONDS} s of {FIXED_SECONDS} s"
    )
    page.screenshot(path=str(SHOTS / "grade-step-ran-out.png"), full_page=True)
    second_total = tick_key_points(page, 1)
    # Focus is on a key point's checkbox, outside the note: the keys 1-4 choose a rating.
    expect(page.locator("#id_note")).not_to_be_focused()
    page.keyboard.press("2")
    expect(rating_group(page).get_by_role("radio", name="Hard")).to_be_checked()
    expect(rating_group(page).get_by_role("radio", name="Hard")).to_be_focused()
    page.get_by_role("button", name="Save grade and go on").click()

    # Question 3: Ctrl+Enter submits.
    expect_answer_step(page, 3, 3)
    third_answer = "Diffusion models and scaling laws."
    answer = page.get_by_label("Your answer")
    answer.fill(third_answer)
    answer.press("Control+Enter")
    expect_grade_step(page, 3, "On time")
    expect(page.locator(".answer-text")).to_contain_text(third_answer)
    third_total = tick_key_points(page, 3)
    choose_rating_by_clicking(page, "Easy")
    expect(rating_group(page).get_by_role("radio", name="Easy")).to_be_checked()
    page.get_by_role("button", name="Save grade and finish").click()

    # The summary.
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview summary")
    stats = page.get_by_role("region", name="Overall figures")
    expect(stats).to_contain_text("3 / 3")
    expect(stats).to_contain_text("answered")
    expect(stats).to_contain_text("3.0")  # (Good 3 + Hard 2 + Easy 4) / 3
    covered, total = 2 + 1 + 3, first_total + second_total + third_total
    expect(stats).to_contain_text(f"key points covered ({covered} of {total})")
    expect(stats.locator(".stat").last).to_contain_text("1")
    expect(stats.locator(".stat").last).to_contain_text("ran out of time")
    expect(page.locator("p.muted .badge")).to_have_text("Completed")

    rows = page.locator("table.summary-table tbody tr")
    expect(rows).to_have_count(3)
    expected = [
        ("On time", "Good", f"2 / {first_total}"),
        ("Ran out of time", "Hard", f"1 / {second_total}"),
        ("On time", "Easy", f"3 / {third_total}"),
    ]
    for index, (clock, rating, key_points) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(str(index + 1))
        expect(cells.nth(3)).to_have_text(clock)
        # The rating, perhaps followed by a calibration hint.
        expect(cells.nth(4)).to_have_text(re.compile(rf"^{rating}\b"))
        expect(cells.nth(5)).to_have_text(key_points)
    expect(rows.nth(1).locator("td").nth(2)).to_have_text(f"{FIXED_SECONDS} s / {FIXED_SECONDS} s")
    page.screenshot(path=str(SHOTS / "summary.png"), full_page=True)

    # The home page lists it as completed.
    page.get_by_role("link", name="Back to your home page").click()
    recent = page.get_by_role("region", name="Recent interviews")
    expect(recent.locator("li")).to_have_count(1)
    expect(recent.locator("li")).to_contain_text("3 questions")
    expect(recent.locator("li .badge")).to_have_text("Completed")
    expect(page.get_by_role("link", name="Start a mock interview")).to_be_visible()
    expect(page.get_by_role("link", name="Resume the interview")).to_have_count(0)

    # In the database: the second answer timed out and kept the draft.
    second = SessionQuestion.objects.get(interview__user__username="fran", position=2)
    assert second.finish_state == FinishState.TIMED_OUT
    assert second.answer_text == draft
    states = list(
        SessionQuestion.objects.filter(interview__user__username="fran")
        .order_by("position")
        .values_list("finish_state", "self_rating")
    )
    assert states == [
        (FinishState.ON_TIME, 3),
        (FinishState.TIMED_OUT, 2),
        (FinishState.ON_TIME, 4),
    ]


def test_an_interview_left_in_the_middle_resumes_after_logging_in_again(
    page: Page, live_server, seeded
):
    password = "another-long-unusual-passphrase"
    sign_up(page, live_server.url, "gus", password)

    page.get_by_role("link", name="Start a mock interview").click()
    page.get_by_label("How many questions").fill("2")
    expect(page.get_by_label("Each question's suggested time")).to_be_checked()
    page.get_by_role("button", name="Start the interview").click()

    expect_answer_step(page, 1, 2)
    prompt = page.locator("h1.prompt").inner_text()
    deadline = page.locator(".countdown time").get_attribute("datetime")
    assert prompt and deadline
    draft = "First thoughts, to be continued\nafter a break."
    type_draft_and_wait_for_save(page, draft)

    page.get_by_role("button", name="Log out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    log_in(page, "gus", password)

    expect(page.get_by_role("heading", name="Interview in progress")).to_be_visible()
    page.get_by_role("link", name="Resume the interview").click()
    expect_answer_step(page, 1, 2)
    expect(page.locator("h1.prompt")).to_have_text(prompt)
    expect(page.get_by_label("Your answer")).to_have_value(draft)
    expect(page.locator(".countdown time")).to_have_attribute("datetime", deadline)
    expect(page.locator(".countdown")).to_have_attribute("data-deadline", deadline)
