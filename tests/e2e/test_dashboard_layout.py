"""In the browser: on a phone the dashboard is at most three screens tall, its longer
sections folded under their headings (issue 20); on a wide screen they are open, with or
without JavaScript."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.bench.data import make_history
from tests.factories import set_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
WIDE = {"width": 1280, "height": 900}
# The phone's screens the whole page may take: the headline figures, the weakest questions
# and the folded sections' headings fit in them.
MOST_SCREENS = 3
FOLDED = [
    "Most-missed key points",
    "On your interview day",
    "Activity, last 365 days",
    "Trend per week",
    "Mastery",
    "Running out of time",
]


@pytest.fixture
def a_years_practice(seeded, alice):
    """A realistic user: 2,000 graded answers over a year, and an interview date."""
    make_history(alice, 2000, days=365, now=timezone.now())
    set_profile(alice, interview_date=timezone.now().date() + timedelta(days=30))
    return alice


def dashboard(browser: Browser, live_server, user, viewport: dict, javascript: bool = True):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    session = Client()
    session.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your progress, {user.username}")
    return page


def fold(page, heading: str):
    return page.locator("details.fold").filter(has=page.get_by_role("heading", name=heading))


def note(page, heading: str):
    """The line under a folded section's heading that says what is inside."""
    return page.locator("section").filter(has=fold(page, heading)).locator(".fold-note")


def test_on_a_phone_the_dashboard_is_at_most_three_screens(browser, live_server, a_years_practice):
    page = dashboard(browser, live_server, a_years_practice, PHONE)

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MOST_SCREENS * PHONE["height"], f"{height} px"
    # What matters most is open: the figures and the weakest questions.
    expect(page.get_by_text("due for review")).to_be_visible()
    expect(page.get_by_text("day streak")).to_be_visible()
    expect(page.get_by_role("region", name="Weakest questions").locator("ol li")).to_have_count(5)
    # The rest is folded, each under its heading and a line that says what is inside.
    for heading in FOLDED:
        expect(fold(page, heading)).not_to_have_attribute("open", "")
        expect(note(page, heading)).to_be_visible()
    expect(page.locator("svg.heatmap")).not_to_be_visible()
    expect(note(page, "Activity, last 365 days")).to_have_text(
        re.compile(r"^\d+ answers on \d+ days$")
    )

    # Opening the calendar shows it, scrolled to today.
    fold(page, "Activity, last 365 days").locator(":scope > summary").click()
    expect(page.locator("svg.heatmap")).to_be_visible()
    expect(note(page, "Activity, last 365 days")).not_to_be_visible()
    scroll = page.locator(".chart-scroll")
    expect(scroll).not_to_have_js_property("scrollLeft", 0)
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_on_a_wide_screen_every_section_is_open(browser, live_server, a_years_practice, javascript):
    page = dashboard(browser, live_server, a_years_practice, WIDE, javascript)

    expect(page.locator("svg.heatmap")).to_be_visible()
    expect(page.locator("svg.line-chart")).to_have_count(2)
    expect(page.locator("#levels li").first).to_be_visible()
    expect(page.locator("#topics li").first).to_be_visible()
    expect(page.get_by_text("Predicted recall per topic")).to_be_visible()
    for heading in FOLDED:
        expect(note(page, heading)).not_to_be_visible()
        if javascript:
            expect(fold(page, heading)).to_have_attribute("open", "")
    page.context.close()
