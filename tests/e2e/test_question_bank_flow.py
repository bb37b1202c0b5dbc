"""In the browser: filtering the question bank with htmx, and the Back button afterwards."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filters_update_the_list_and_back_restores_the_whole_page(
    page: Page, live_server, seeded, django_user_model
):
    django_user_model.objects.create_user("hana", "hana@example.com", "a-long-unusual-passphrase")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/questions/")
    expect(page.locator("#results")).to_contain_text("30 questions")
    page.get_by_text("Filter by level and topic", exact=True).click()
    page.get_by_label("Beginner").check()
    expect(page.locator("#results")).to_contain_text("12 questions")
    # The search box goes with the filters, empty here.
    expect(page).to_have_url(f"{live_server.url}/questions/?q=&level=beginner")
    page.get_by_label("Advanced").check()
    expect(page.locator("#results")).to_contain_text("17 questions")

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/questions/?q=&level=beginner")
    # Wait for the restored page, then check it is whole: header, heading, filters.
    expect(page.locator("#results")).to_contain_text("12 questions")
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.get_by_role("heading", name="Question bank")).to_be_visible()
    expect(page.get_by_label("Beginner")).to_be_checked()


def test_on_a_phone_the_first_question_is_on_the_first_screen(
    browser: Browser, live_server, seeded, alice, password
):
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    log_in(page, live_server.url, "alice", password)

    page.goto(f"{live_server.url}/questions/")

    first = page.locator(".question-link").first.bounding_box()
    assert first["y"] + first["height"] <= 667
    # A chosen filter keeps the filters open.
    page.goto(f"{live_server.url}/questions/?level=beginner")
    expect(page.get_by_label("Beginner")).to_be_checked()
    expect(page.get_by_label("Beginner")).to_be_visible()
    context.close()
