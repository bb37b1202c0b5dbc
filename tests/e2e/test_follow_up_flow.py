"""In Chromium, with the keyboard alone: a two-question interview with the follow-up round,
each question answered, graded, its follow-up answered (the first one also aloud, from the
fake microphone) and rated, then the summary."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from sessions.models import FollowUpAnswer, InterviewStatus, Recording, TimingMode
from tests.e2e.browser import log_in
from tests.factories import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two chunks of the page's timeslice, with room for a slow machine.
ACK_TIMEOUT_MS = 15_000


def tab_to(page, target, *, backwards: bool = False, presses: int = 12) -> None:
    """Press Tab (Shift+Tab backwards) until `target` has the focus."""
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    expect(target).to_be_focused()


@pytest.mark.parametrize("width", [375, 1280])
def test_a_follow_up_round_with_the_keyboard_alone(
    browser: Browser, live_server, seeded, alice, password, width, recordings_dir
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
        if position == 1:
            # Said aloud too: the recorder's button, then back to "Submit answer", which
            # stops the recording and waits for its last pieces.
            tab_to(page, page.get_by_role("button", name="Record your answer"))
            page.keyboard.press("Enter")
            expect(page.get_by_role("button", name="Stop recording")).to_be_visible()
            expect(page.locator("[data-recorder]")).to_have_attribute(
                "data-acknowledged", "1", timeout=ACK_TIMEOUT_MS
            )
            tab_to(page, page.get_by_role("button", name="Submit answer"), backwards=True)
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Control+Enter")

        expect(step).to_have_attribute("data-step", "follow-up-grade", timeout=ACK_TIMEOUT_MS)
        expect(page.get_by_role("heading", level=1)).to_be_focused()
        if position == 1:
            player = page.get_by_role("region", name="Your recorded answer").locator("audio")
            expect(player).to_be_visible()
            duration = player.evaluate(
                """audio => new Promise(resolve => {
                    const done = () => resolve(audio.duration);
                    if (audio.readyState >= 1 && isFinite(audio.duration)) done();
                    else { audio.addEventListener("loadedmetadata", done); audio.load(); }
                })"""
            )
            assert duration > 1
        page.keyboard.press("3")
        expect(page.get_by_label("Answered it well")).to_be_checked()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Save and")).to_be_focused()
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Interview summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Follow-ups")).to_be_visible()
    for position in (1, 2):
        expect(page.get_by_text(f"My follow-up answer {position}.")).to_be_visible()
    recording = Recording.objects.get(follow_up__interview=interview)
    assert recording.follow_up.item.position == 1
    assert recording.file and recording.duration_ms > 1000
    expect(page.get_by_label("Your recorded follow-up answer of")).to_have_attribute(
        "src", recording.get_absolute_url()
    )
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert list(
        FollowUpAnswer.objects.filter(interview=interview).values_list("self_rating", flat=True)
    ) == [3, 3]
    # Both answers were rated Hard: the summary offers to retry them.
    expect(page.get_by_role("button", name="Retry the ones I missed")).to_be_visible()
    context.close()
