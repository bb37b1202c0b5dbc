"""In the browser: the grade step pre-ticks the key points the answer seems to cover, shows
and highlights their evidence, works without JavaScript, and the user's untick is what
counts; the page's suggested rating agrees with the Python rule for every count."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sessions import grading
from sessions.models import Rating, SessionQuestion, ShownKeyPoint, TimingMode
from tests.e2e.browser import log_in
from tests.factories import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "site.js"
ANSWER = (
    "ReLU is max(0, x), so negative inputs become zero.\n"
    "The sigmoid saturates for large inputs, which makes gradients vanish in deep networks."
)


def answer_question_5(page: Page, base_url: str, alice) -> SessionQuestion:
    call_command("seed_questions", verbosity=0)
    interview = start(alice, [5], now=timezone.now(), timing_mode=TimingMode.UNTIMED)
    page.goto(f"{base_url}{interview.get_absolute_url()}")
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    return interview.items.get()


def key_point(page: Page, position: int):
    return page.locator(f'.key-point-choices li[data-key-point="{position}"]')


def test_suggestions_are_pre_ticked_with_evidence_and_an_untick_counts(
    page: Page, live_server, alice, password
):
    log_in(page, live_server.url, "alice", password)
    item = answer_question_5(page, live_server.url, alice)

    boxes = page.locator('.key-point-choices input[name="key_points"]')
    expect(boxes).to_have_count(7)
    for position in (1, 2):
        expect(key_point(page, position).locator("input")).to_be_checked()
        expect(key_point(page, position)).to_contain_text("suggested: confirm or untick")
    expect(key_point(page, 1).locator("q")).to_have_text(
        "ReLU is max(0, x), so negative inputs become zero."
    )
    for position in (3, 4, 5, 6, 7):
        expect(key_point(page, position).locator("input")).not_to_be_checked()
        expect(key_point(page, position)).not_to_contain_text("suggested")
    hint = page.locator("[data-suggested-rating]")
    expect(hint).to_contain_text("Suggested from the key points you ticked: Again.")

    # Hovering a suggestion marks its sentence in the answer; leaving unmarks it.
    evidence = page.locator('.answer-text .evidence[data-evidence-for~="2"]')
    expect(evidence).to_contain_text("The sigmoid saturates")
    expect(evidence).not_to_have_class("evidence highlighted")
    key_point(page, 2).hover()
    expect(evidence).to_have_class("evidence highlighted")
    page.get_by_role("heading", name="Reference answer").hover()
    expect(evidence).to_have_class("evidence")
    # Focusing the checkbox (keyboard users) marks it too.
    key_point(page, 1).locator("input").focus()
    expect(page.locator('.answer-text .evidence[data-evidence-for~="1"]')).to_have_class(
        "evidence highlighted"
    )

    # The user unticks a suggestion and ticks another point: the hint follows.
    key_point(page, 1).locator("label").click()
    key_point(page, 3).locator("label").click()
    key_point(page, 4).locator("label").click()
    key_point(page, 5).locator("label").click()
    expect(hint).to_contain_text("Suggested from the key points you ticked: Hard.")
    page.locator('input[name="rating"][value="2"]').check()
    page.get_by_role("button", name="Save grade and finish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interview")

    points = ShownKeyPoint.objects.filter(item=item).order_by("position")
    assert [point.position for point in points if point.covered] == [2, 3, 4, 5]
    assert [point.position for point in points if point.suggested] == [1, 2]
    item.refresh_from_db()
    assert item.self_rating == Rating.HARD
    assert item.review.covered_count == 4


def test_without_javascript_the_suggestions_are_server_rendered_and_an_untick_counts(
    browser: Browser, live_server, alice, password
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "alice", password)
    item = answer_question_5(page, live_server.url, alice)

    expect(key_point(page, 1).locator("input")).to_be_checked()
    expect(key_point(page, 2).locator("input")).to_be_checked()
    expect(key_point(page, 3).locator("input")).not_to_be_checked()
    expect(key_point(page, 2).locator("q")).to_contain_text("The sigmoid saturates")

    key_point(page, 2).locator("label").click()
    page.locator('input[name="rating"][value="1"]').check()
    page.get_by_role("button", name="Save grade and finish").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Interview")
    covered = ShownKeyPoint.objects.filter(item=item, covered=True)
    assert [point.position for point in covered] == [1]
    context.close()


def grade_form(total: int) -> str:
    """A grade form as the page has it: `total` key points and the server's rating table."""
    boxes = "".join(
        f'<li><input type="checkbox" name="key_points" value="{n}" id="kp{n}">'
        f'<label for="kp{n}">Point {n}</label></li>'
        for n in range(1, total + 1)
    )
    table = "|".join(grading.rating_table(total))
    return (
        f'<form data-rating-keys data-rating-table="{table}"><ul>{boxes}</ul>'
        "<p data-suggested-rating></p></form>"
    )


def test_the_pages_suggested_rating_agrees_with_the_python_rule(page: Page):
    for total in range(8):
        page.set_content(grade_form(total))
        page.add_script_tag(content=SITE_JS.read_text())
        page.evaluate("document.dispatchEvent(new Event('DOMContentLoaded'))")
        for covered in range(total + 1):
            page.evaluate(
                """covered => {
                    const boxes = document.querySelectorAll('input[name="key_points"]');
                    boxes.forEach((box, index) => (box.checked = index < covered));
                    document.querySelector("form").dispatchEvent(new Event("change"));
                }""",
                covered,
            )
            expected = Rating(grading.suggested_rating(covered, total)).label
            assert page.locator("[data-suggested-rating]").text_content() == (
                f"Suggested from the key points you ticked: {expected}. You may choose otherwise."
            ), (covered, total)


MISCONCEPTION_ANSWER = (
    "Overfitting means low training error but a much higher validation error.\n"
    "Cross-validation prevents overfitting, so with k folds you need no other regulariser."
)


def answer_question_9(page: Page, base_url: str, alice) -> SessionQuestion:
    call_command("seed_questions", verbosity=0)
    interview = start(alice, [9], now=timezone.now(), timing_mode=TimingMode.UNTIMED)
    page.goto(f"{base_url}{interview.get_absolute_url()}")
    page.get_by_label("Your answer").fill(MISCONCEPTION_ANSWER)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    return interview.items.get()


def expect_the_misconception_shown(page: Page) -> None:
    found = page.locator(".misconceptions-stated li#misconception-1")
    expect(found).to_contain_text("Your answer seems to say:")
    expect(found.locator("q")).to_have_text(
        "Cross-validation prevents overfitting, so with k folds you need no other regulariser."
    )
    expect(found).to_contain_text("a common misconception: Cross-validation prevents overfitting")
    expect(found).to_contain_text("Instead:")
    contradicted = key_point(page, 7)
    expect(contradicted.locator("input")).not_to_be_checked()
    expect(contradicted).to_contain_text("not ticked for you")


def test_a_stated_misconception_is_quoted_and_its_point_left_unticked(
    page: Page, live_server, alice, password
):
    log_in(page, live_server.url, "alice", password)
    item = answer_question_9(page, live_server.url, alice)

    expect_the_misconception_shown(page)
    # Hovering the misconception marks its sentence in the answer.
    evidence = page.locator('.answer-text .evidence[data-evidence-for~="m1"]')
    expect(evidence).to_have_class("evidence")
    # From outside it: the pointer may rest where the new step put the misconception, and a
    # pointer that does not cross into an element does not enter it.
    page.mouse.move(0, 0)
    page.locator("#misconception-1").hover()
    expect(evidence).to_have_class("evidence highlighted")
    # The link from the key point leads to the explanation.
    key_point(page, 7).get_by_role("link", name="a common misconception").click()
    expect(page).to_have_url(re.compile(r"#misconception-1$"))

    # The user may still tick the point; their tick is what counts.
    key_point(page, 7).locator("label").click()
    page.locator('input[name="rating"][value="2"]').check()
    page.get_by_role("button", name="Save grade and finish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interview")
    assert ShownKeyPoint.objects.get(item=item, position=7).covered


def test_without_javascript_a_stated_misconception_is_server_rendered(
    browser: Browser, live_server, alice, password
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "alice", password)
    answer_question_9(page, live_server.url, alice)

    expect_the_misconception_shown(page)
    context.close()
