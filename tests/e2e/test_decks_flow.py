"""In the browser: a deck of one's own from creation to review, then shared, copied and
practised by a second user, while a third user finds nothing of it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from questions.models import Deck
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "prompt,reference_answer,key_point_1,key_point_2,key_point_3,level,topics\n"
    'What is a CDN?,"Servers near users, caching content.",Caches content,Near the users,'
    "Cuts latency,beginner,Networking\n"
)
ANKI = (
    "#separator:tab\n#html:true\n#tags column:3\n"
    "What is dropout?\tDropout zeroes units.<ul><li>Zeroes random units</li>"
    "<li>Only while training</li><li>Reduces overfitting</li></ul>\tregularisation\n"
)


def new_page(browser: Browser, base_url: str, username: str, password: str) -> Page:
    page = browser.new_context().new_page()
    log_in(page, base_url, username, password)
    return page


def import_file(page: Page, tmp_path, name: str, content: str, expected: str) -> None:
    page.get_by_role("link", name="Import questions").click()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("region", name="Preview")).to_contain_text(expected)
    page.get_by_role("button", name=re.compile(r"^Import \d+ question")).click()
    expect(page.locator(".messages")).to_contain_text("Imported:")


def practise_one(page: Page, base_url: str, deck_name: str) -> None:
    page.goto(f"{base_url}{reverse('interviews:new')}")
    page.get_by_label("Deep learning interview questions").uncheck()
    page.get_by_label(deck_name, exact=True).check()
    page.get_by_label("How many questions").fill("1")
    page.get_by_label("Untimed practice").check()
    page.get_by_role("button", name="Start the interview").click()
    page.get_by_label("Your answer").fill("It caches content near the users to cut latency.")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Reference answer")).to_be_visible()
    page.locator(".rating-choices label", has_text="Again").click()
    page.get_by_role("button", name=re.compile("^Save grade and")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview summary")


def test_a_deck_from_creation_to_review_shared_and_practised(
    browser: Browser, live_server, seeded, password, tmp_path
):
    users = get_user_model().objects
    for name in ("alice", "bob", "carol"):
        users.create_user(name, f"{name}@example.com", password)
    alice = new_page(browser, live_server.url, "alice", password)

    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Decks").click()
    alice.get_by_role("link", name="New deck").click()
    alice.get_by_label("Name").fill("Company X")
    alice.get_by_role("button", name="Create the deck").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Company X")

    alice.get_by_role("link", name="New question").click()
    alice.get_by_role("textbox", name="Prompt").fill("What does a load balancer do?")
    alice.get_by_role("textbox", name="Reference answer").fill("It **spreads** requests.")
    expect(alice.locator("#preview strong")).to_have_text("spreads")  # the live preview
    for index, text in enumerate(["Spreads requests", "Checks health", "Drops failing servers"]):
        alice.locator(f'[name="points-{index}-text"]').fill(text)
    alice.get_by_role("button", name="Save the question").click()
    expect(alice.locator(".messages")).to_contain_text("Question 1 saved.")

    import_file(alice, tmp_path, "questions.csv", CSV, "1 new, 0 changed, 0 refused")
    import_file(alice, tmp_path, "anki.txt", ANKI, "1 new, 0 changed, 0 refused")
    expect(alice.locator("#results")).to_contain_text("3 questions")

    practise_one(alice, live_server.url, "Company X")
    alice.goto(f"{live_server.url}{reverse('progress:review')}")
    deck = Deck.objects.get(owner__username="alice")
    prompts = list(deck.questions.values_list("prompt", flat=True))
    expect(alice.locator("main")).to_contain_text(re.compile("|".join(map(re.escape, prompts))))

    alice.goto(f"{live_server.url}{deck.get_absolute_url()}")
    alice.get_by_role("button", name="Share").click()
    link = alice.locator('main a[href*="/decks/shared/"]').get_attribute("href")

    bob = new_page(browser, live_server.url, "bob", password)
    bob.goto(f"{live_server.url}{link}")
    expect(bob.locator("main")).to_contain_text("What is a CDN?")
    expect(bob.locator("main")).not_to_contain_text("caching content")
    bob.get_by_role("button", name="Add to my decks").click()
    expect(bob.locator(".messages")).to_contain_text("is now in your decks")
    practise_one(bob, live_server.url, "Company X")

    carol = new_page(browser, live_server.url, "carol", password)
    question = deck.questions.first()
    for path in (
        deck.get_absolute_url(),
        reverse("decks:import", args=[deck.pk]),
        reverse("decks:export", args=[deck.pk, "csv"]),
        question.get_absolute_url(),
        reverse("progress:question_history", args=[question.slug]),
    ):
        response = carol.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
