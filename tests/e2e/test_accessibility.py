"""axe-core finds no violation, of any impact, on any page: at 375 px and 1280 px, in the
light and the dark colour scheme. axe comes from the pinned axe-playwright-python package
(its bundled axe.min.js), injected into each page; nothing is fetched at run time."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Browser, expect

from tests.page_tour import build_world, no_attempts_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]
SCHEMES = ["light", "dark"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"  {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(
            f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"]
        )
        for violation in violations
    )


SMALLEST_TEXT_PX = 12

# Visible text set smaller than SMALLEST_TEXT_PX, and whether the page or a table scrolls
# sideways.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push("the page is " + root.scrollWidth + " px wide in a " + root.clientWidth + " px window");
  }
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      const heading = wrap.querySelector("th");
      problems.push("a table (" + (heading ? heading.textContent.trim() : "") + ") needs sideways scrolling: " + wrap.scrollWidth + " px in " + wrap.clientWidth + " px");
    }
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    const rect = element.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || element.closest("[hidden], .visually-hidden")) continue;
    const size = parseFloat(getComputedStyle(element).fontSize) * (element.getScreenCTM ? element.getScreenCTM().a : 1);
    if (size < SMALLEST) problems.push("text of " + size.toFixed(1) + " px: " + element.textContent.trim().slice(0, 40));
  }
  return problems;
}""".replace("SMALLEST", str(SMALLEST_TEXT_PX))


def fill_and_send(page, values: dict) -> None:
    """Fill the page's main form with `values` as a user would, and send it."""
    form = page.locator("main form").last
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]')
        if field.first.get_attribute("type") == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            field.fill(value)
    form.locator('button[type="submit"]').last.click()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_has_an_accessibility_violation(
    browser: Browser, live_server, password, width, scheme, settings
):
    no_attempts_left(settings)
    users, pages = build_world(password)
    axe = Axe()
    found = {}
    for user in [None, *users]:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        if user is not None:
            session = Client()
            session.force_login(users[user])
            cookie = session.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        for tour_page in [each for each in pages if each.user == user]:
            response = page.goto(f"{live_server.url}{tour_page.path}")
            assert response.status == tour_page.status, tour_page.name
            if tour_page.post is not None:
                fill_and_send(page, tour_page.post)
                expect(page.locator("main")).to_contain_text(tour_page.shows)
            expect(page.locator("main")).to_be_visible()
            violations = [violation for violation in axe.run(page).response["violations"]]
            violations += [
                {"id": "layout", "impact": "-", "help": problem, "nodes": []}
                for problem in page.evaluate(LAYOUT_PROBLEMS)
            ]
            if violations:
                found[tour_page.name] = describe(violations)
        context.close()

    assert not found, f"axe at {width} px, {scheme}:\n" + "\n".join(
        f"{name}:\n{report}" for name, report in found.items()
    )
