"""In the browser, with two contexts: a candidate records and completes a two-question
interview and asks for a second opinion; an anonymous reviewer opens the link, plays the
recording, comments on a moment of it, ticks key points, gives verdicts (kept across a
reload) and sends the review; the candidate sees it beside their grades and revokes the link,
which ends the reviewer's access, recording included. Without JavaScript the reviewer's page
works as plain forms."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sessions.feedback.models import ReviewedAnswer, ReviewLink, Verdict
from sessions.models import Rating, SessionQuestion
from tests.e2e.browser import log_in
from tests.factories import graded_interview, review_link, review_url, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
PASSWORD = "a-long-unusual-passphrase"
ACK_TIMEOUT_MS = 15_000


@pytest.fixture
def candidate(django_user_model):
    user = django_user_model.objects.create_user("candidate", "candidate@example.com", PASSWORD)
    return start(user, (1, 2), timezone.now(), timing_mode="fixed", fixed_seconds=120)


def rating_group(page: Page):
    return page.get_by_role("group", name="How well did you know it?")


def answer_and_grade(page: Page, text: str, rating: str, button: str, *, record: bool) -> None:
    expect(page.locator("#step")).to_have_attribute("data-step", "answer")
    if record:
        page.get_by_role("button", name="Record your answer").click()
        recorder = page.locator("[data-recorder]")
        expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)
        page.wait_for_timeout(1500)
    page.get_by_label("Your answer").fill(text)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade", timeout=15_000)
    rating_group(page).get_by_role("radio", name=rating).check()
    page.get_by_role("button", name=button).click()


def test_a_second_opinion_from_request_to_revocation(
    page: Page, browser: Browser, live_server, candidate, recordings_dir
):
    interview = candidate
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The candidate records question 1, types question 2, grades both.
    log_in(page, live_server.url, "candidate", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    answer_and_grade(
        page, "A weighted sum plus a bias.", "Good", "Save grade and go on", record=True
    )
    answer_and_grade(
        page, "Gradients flow backwards.", "Easy", "Save grade and finish", record=False
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview summary")

    # ... and asks for a second opinion.
    page.get_by_role("link", name="Ask for a second opinion").click()
    page.get_by_label("Reviewer's name (optional)").fill("Sam")
    expect(page.get_by_label("Show my own grades")).not_to_be_checked()
    page.get_by_role("button", name="Make a review link").click()
    new_link = page.get_by_role("region", name="Your new link")
    expect(new_link).to_be_visible()
    link_url = new_link.get_by_label("The link to send").input_value()
    assert link_url.startswith(f"{live_server.url}/review/{interview.pk}/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    new_link.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_have_text("The link is copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link_url
    page.screenshot(path=str(SHOTS / "second-opinion-link.png"), full_page=True)

    # The reviewer, in a browser of their own with no account.
    reviewer_context = browser.new_context()
    reviewer = reviewer_context.new_page()
    responses = []
    reviewer.on("response", lambda response: responses.append(response))
    reviewer.goto(link_url)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(
        "Review a candidate's mock interview"
    )
    first = reviewer.locator("#question-1")
    expect(first).to_contain_text("A weighted sum plus a bias.")
    expect(first).not_to_contain_text("Reference answer")

    # The recording plays through the link.
    player = first.locator("audio")
    expect(player).to_be_visible()
    first.get_by_role("heading", level=2).click()  # a user gesture lets the page play
    played = player.evaluate(
        """audio => new Promise((resolve, reject) => {
            audio.muted = true;
            audio.addEventListener("timeupdate", function seen() {
                if (audio.currentTime > 0.3) { audio.pause(); resolve(audio.currentTime); }
            });
            audio.play().catch(reject);
        })"""
    )
    assert played > 0.3
    recording_responses = [
        response for response in responses if response.url.endswith("/questions/1/recording")
    ]
    assert recording_responses and all(r.status in (200, 206) for r in recording_responses)

    # A comment on this moment of the recording, which then seeks the player.
    moments = first.locator(".moments")
    moments.get_by_role("button", name="Use the player's time").click()
    at = moments.get_by_label("At (minutes:seconds)").input_value()
    assert at == "0:00"
    moments.get_by_label("Comment on that moment").fill("Here you hesitate.")
    moments.get_by_role("button", name="Add the comment").click()
    moment_link = moments.get_by_role("link", name="at 0:00")
    expect(moment_link).to_be_visible()
    player.evaluate("audio => { audio.currentTime = 1.5; }")
    moment_link.click()
    assert player.evaluate("audio => audio.currentTime") < 0.5

    # The reference behind its button, a tick, a verdict and a comment, saved as they go.
    first.get_by_role("button", name="Show the reference answer and key points").click()
    expect(first.get_by_role("heading", name="Reference answer")).to_be_visible()
    key_points = first.get_by_role("group", name="Which key points did the answer cover?")
    key_points.get_by_role("checkbox").first.check()
    first.get_by_role("group", name="Your verdict").get_by_label("Hard: borderline").check()
    first.get_by_label("Your comments").fill("Say why the bias matters.")
    expect(first.locator("#save-status-1")).to_contain_text("Saved at", timeout=5_000)
    second = reviewer.locator("#question-2")
    second.get_by_role("group", name="Your verdict").get_by_label("Good: pass").check()
    expect(second.locator("#save-status-2")).to_contain_text("Saved at", timeout=5_000)

    # Work survives a reload.
    reviewer.reload()
    first = reviewer.locator("#question-1")
    expect(first.get_by_label("Hard: borderline")).to_be_checked()
    expect(first.get_by_label("Your comments")).to_have_value("Say why the bias matters.")
    expect(first.get_by_role("checkbox").first).to_be_checked()
    expect(reviewer.locator("#question-2").get_by_label("Good: pass")).to_be_checked()
    reviewer.screenshot(path=str(SHOTS / "second-opinion-reviewer.png"), full_page=True)

    reviewer.get_by_role("button", name="Send review").click()
    expect(reviewer.get_by_text("Your review is sent. Thank you!")).to_be_visible()
    assert ReviewLink.objects.get().sent_at is not None

    # The candidate sees it beside their own grades; no grade of theirs has changed.
    page.goto(f"{live_server.url}/interviews/{interview.pk}/summary/")
    opinions = page.get_by_role("region", name="Second opinions")
    expect(opinions).to_contain_text("Sam")
    expect(opinions.locator(".differs").first).to_contain_text("Hard")
    expect(opinions).to_contain_text("1 step lower than yours")
    expect(opinions.get_by_role("link", name="at 0:00")).to_be_visible()
    page.screenshot(path=str(SHOTS / "second-opinion-summary.png"), full_page=True)
    assert list(
        SessionQuestion.objects.filter(interview=interview)
        .order_by("position")
        .values_list("self_rating", flat=True)
    ) == [3, 4]

    # Revoking ends the reviewer's access at once, recording included.
    page.get_by_role("link", name="Ask for a second opinion").click()
    page.get_by_role("button", name="Revoke the link for Sam").click()
    expect(page.get_by_text("The link is revoked")).to_be_visible()
    gone = reviewer.goto(link_url)
    assert gone.status == 410
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(
        "This review link is no longer valid"
    )
    audio = reviewer.request.get(f"{link_url}questions/1/recording")
    assert audio.status == 410
    reviewer_context.close()


def test_a_reviewer_without_javascript_reviews_with_plain_forms(
    browser: Browser, live_server, django_user_model, seeded
):
    user = django_user_model.objects.create_user("quiet", "quiet@example.com", PASSWORD)
    interview = graded_interview(user, [(1, Rating.GOOD, 1), (2, Rating.HARD, 0)], timezone.now())
    link, token = review_link(interview, timezone.now())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{review_url(link, token)}")

    first = page.locator("#question-1")
    first.get_by_role("button", name="Show the reference answer and key points").click()
    first = page.locator("#question-1")
    expect(first.get_by_role("heading", name="Reference answer")).to_be_visible()
    first.get_by_role("checkbox").first.check()
    first.get_by_label("Easy: strong").check()
    first.get_by_label("Your comments").fill("Complete and clear.")
    first.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your review of question 1 is saved.")).to_be_visible()
    expect(page.locator("#question-1").get_by_label("Easy: strong")).to_be_checked()

    page.get_by_role("button", name="Send review").click()
    expect(page.get_by_text("Your review is sent. Thank you!")).to_be_visible()
    answer = ReviewedAnswer.objects.get(link=link, item__position=1)
    assert (answer.verdict, answer.comment) == (Verdict.EASY, "Complete and clear.")
    assert answer.ticks.filter(covered=True).count() == 1
    context.close()
