"""In Chromium at a phone's and a laptop's size: the answer step opens with focus in the
answer box, keeps its timer bar in view, puts the voice after the box and moves nothing
after it is drawn; the grade step puts the checklist and its Save button within reach."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sessions import engine
from sessions.models import TimingMode
from tests.e2e.browser import log_in
from tests.factories import item, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
LAPTOP = {"width": 1280, "height": 800}

# Every layout shift of the page from its first paint on, summed as Chromium reports them.
MEASURE_LAYOUT_SHIFT = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__layoutShift += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


def new_page(browser: Browser, live_server, password: str, viewport: dict, **options) -> Page:
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    log_in(page, live_server.url, "alice", password)
    return page


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["375", "1280"])
def test_the_first_question_opens_with_focus_in_the_answer_box(
    browser: Browser, live_server, seeded, alice, password, viewport
):
    interview = start(
        alice, [1, 2], timezone.now(), timing_mode=TimingMode.FIXED, fixed_seconds=600
    )
    page = new_page(browser, live_server, password, viewport)

    page.goto(f"{live_server.url}{interview.get_absolute_url()}")

    expect(page.get_by_label("Your answer")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text(item(interview, 1).prompt)
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["375", "1280"])
def test_the_timer_bar_stays_in_view_below_the_answer_box(
    browser: Browser, live_server, seeded, alice, password, viewport
):
    interview = start(
        alice, [1, 2], timezone.now(), timing_mode=TimingMode.FIXED, fixed_seconds=600
    )
    page = new_page(browser, live_server, password, viewport)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    box = page.get_by_label("Your answer")
    box.fill("A line of my answer.\n" * 60)
    box.press("Control+End")

    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")

    expect(page.locator(".countdown-display")).to_be_in_viewport()
    bar = page.locator(".timer-bar").bounding_box()
    if page.evaluate("() => window.scrollY") > bar["height"]:
        assert bar["y"] == 0  # scrolled past its place: held at the top
    assert bar["height"] < viewport["height"] / 5
    # The bar covers nothing that is focused: Shift+Tab back to the Submit button shows it
    # below the bar.
    page.get_by_role("button", name="Read the question aloud").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Submit answer")).to_be_focused()
    assert page.get_by_role("button", name="Submit answer").bounding_box()["y"] >= bar["height"]
    page.context.close()


def test_the_voice_comes_after_the_answer_box_in_tab_order(
    browser: Browser, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    page = new_page(browser, live_server, password, PHONE)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    expect(page.get_by_label("Your answer")).to_be_focused()

    names = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.textContent.trim()"))

    assert names == [
        "Submit answer",
        "Save draft",
        "Read the question aloud",
        "Record your answer",
    ]
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["375", "1280"])
def test_the_answer_step_moves_nothing_after_it_is_drawn(
    browser: Browser, live_server, seeded, alice, password, viewport
):
    interview = start(
        alice, [1, 2], timezone.now(), timing_mode=TimingMode.FIXED, fixed_seconds=600
    )
    engine.autosave(engine.show(item(interview, 1), timezone.now()), "A draft.", timezone.now())
    page = new_page(browser, live_server, password, viewport)
    page.add_init_script(MEASURE_LAYOUT_SHIFT)

    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    expect(page.locator("[data-recorder]")).to_have_attribute("data-ready", "1")
    expect(page.get_by_role("button", name="Read the question aloud")).to_be_visible()
    page.wait_for_timeout(1_500)  # the countdown ticks; nothing else should happen

    assert page.evaluate("() => window.__layoutShift") == 0
    page.context.close()


def test_on_a_phone_the_checklist_and_save_are_within_two_screens(
    browser: Browser, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    answer = "An answer of a few lines, as one writes in an interview. " * 6
    engine.submit(engine.show(item(interview, 1), timezone.now()), answer, timezone.now())
    page = new_page(browser, live_server, password, PHONE)

    page.goto(f"{live_server.url}{reverse('interviews:review', args=[interview.pk, 1])}")

    first_key_point = page.locator('input[name="key_points"]').first.bounding_box()
    save = page.get_by_role("button", name="Save grade and go on").bounding_box()
    assert first_key_point["y"] + first_key_point["height"] <= 2 * PHONE["height"]
    assert save["y"] + save["height"] <= 2 * PHONE["height"]
    # The reference answer is one tap away, and stays where it was.
    reference = page.locator("details.reference")
    expect(reference).not_to_have_attribute("open", "")
    page.get_by_role("heading", name="Reference answer").click()
    expect(reference).to_have_attribute("open", "")
    page.context.close()


def test_on_a_wide_screen_the_answer_and_the_checklist_are_side_by_side(
    browser: Browser, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    engine.submit(engine.show(item(interview, 1), timezone.now()), "Weighted sums.", timezone.now())
    page = new_page(browser, live_server, password, LAPTOP)

    page.goto(f"{live_server.url}{reverse('interviews:review', args=[interview.pk, 1])}")

    answer = page.locator(".answer-text").bounding_box()
    checklist = page.locator(".key-point-checklist").bounding_box()
    assert checklist["x"] > answer["x"] + answer["width"]
    assert abs(checklist["y"] - answer["y"]) < 80
    expect(page.locator("details.reference")).to_have_attribute("open", "")
    # The rating follows the checklist, not the reference answer.
    save = page.get_by_role("button", name="Save grade and go on").bounding_box()
    reference = page.locator("details.reference").bounding_box()
    assert save["y"] < reference["y"] + reference["height"]
    assert save["y"] + save["height"] <= 1.5 * LAPTOP["height"]


def test_on_a_touch_screen_the_keyboard_hints_are_not_shown(
    browser: Browser, live_server, seeded, alice, password
):
    interview = start(alice, [1, 2], timezone.now(), timing_mode=TimingMode.UNTIMED)
    engine.submit(engine.show(item(interview, 1), timezone.now()), "Weighted sums.", timezone.now())
    path = reverse("interviews:review", args=[interview.pk, 1])
    for touch in (True, False):
        page = new_page(browser, live_server, password, PHONE, has_touch=touch, is_mobile=touch)
        page.goto(f"{live_server.url}{path}")
        hint = page.get_by_text("Keys 1–4 choose a rating.")
        if touch:
            expect(hint).to_be_hidden()
        else:
            expect(hint).to_be_visible()
        page.context.close()


def shown_seconds_ago(interview, seconds: int) -> None:
    engine.show(item(interview, 1), timezone.now() - timedelta(seconds=seconds))
