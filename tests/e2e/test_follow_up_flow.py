"""In Chromium, with the keyboard alone: a two-question interview with the follow-up round,
each question answered, graded, its follow-up answered and rated, then the summary."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from sessions.models import FollowUpAnswer, InterviewStatus, TimingMode
from tests.e2e.browser import log_in
from tests.factories import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_follow_up_round_with_the_keyboard_alone(
    browser: Browser, live_server, seeded, alice, password, width
):
    interview = start(
        alice,
        [1, 2],
        timezone.now(),
        timing_mode=TimingMode.FIXED,
        fixed_seconds=600,
        follow_up_round=True,
    )
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    log_in(page, live_server.url, "alice", password)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    step = page.locator("#step")

    for position in (1, 2):
        box = page.get_by_label("Your answer")
        expect(box).to_be_focused()
        page.keyboard.type(f"My answer to question {position}.")
        page.keyboard.press("Control+Enter")

        expect(step).to_have_attribute("data-step", "grade")
        expect(page.get_by_role("heading", level=1)).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator('input[name="key_points"]').first).to_be_focused()
        page.keyboard.press("Space")
        page.keyboard.press("2")
        expect(page.get_by_label("Hard")).to_be_checked()
        page.keyboard.press("Tab")  # the note's disclosure
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Save grade and")).to_be_focused()
        page.keyboard.press("Enter")

        expect(step).to_have_attribute("data-step", "follow-up-answer")
        expect(page.get_by_label("Your answer")).to_be_focused()
        expect(page.locator(".progress-label")).to_contain_text(f"Follow-up to question {position}")
        expect(page.locator(".countdown-display")).to_contain_text("left")
        page.keyboard.type(f"My follow-up answer {position}.")
        page.keyboard.press("Control+Enter")

        expect(step).to_have_attribute("data-step", "follow-up-grade")
        expect(page.get_by_role("heading", level=1)).to_be_focused()
        page.keyboard.press("3")
        expect(page.get_by_label("Answered it well")).to_be_checked()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Save and")).to_be_focused()
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Interview summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Follow-ups")).to_be_visible()
    for position in (1, 2):
        expect(page.get_by_text(f"My follow-up answer {position}.")).to_be_visible()
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert list(
        FollowUpAnswer.objects.filter(interview=interview).values_list("self_rating", flat=True)
    ) == [3, 3]
    # Both answers were rated Hard: the summary offers to retry them.
    expect(page.get_by_role("button", name="Retry the ones I missed")).to_be_visible()
    context.close()
