"""In the browser with a fake microphone: an answer spoken in two parts with a reload between
them, played back whole on the grade step; another user cannot fetch it; a chunk sent once
the session ended says to log in again; with the microphone refused, typing still works."""

import time
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sessions.models import Recording
from tests.audio import container_of, duration_seconds
from tests.e2e.browser import log_in
from tests.factories import item, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
PASSWORD = "a-long-unusual-passphrase"
# Two chunks of the page's timeslice, with room for a slow machine.
ACK_TIMEOUT_MS = 15_000


@pytest.fixture
def speaker(django_user_model):
    user = django_user_model.objects.create_user("speaker", "speaker@example.com", PASSWORD)
    return start(user, (1,), timezone.now(), timing_mode="fixed", fixed_seconds=120)


def player_duration(page: Page) -> float:
    player = page.get_by_role("region", name="Your recorded answer").locator("audio")
    return player.evaluate(
        """audio => new Promise(resolve => {
            const done = () => resolve(audio.duration);
            if (audio.readyState >= 1 && isFinite(audio.duration)) done();
            else { audio.addEventListener("loadedmetadata", done); audio.load(); }
        })"""
    )


def test_a_spoken_answer_survives_a_reload_and_plays_back_whole(
    page: Page, browser: Browser, live_server, speaker, recordings_dir, django_user_model
):
    interview = speaker
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    recorder = page.locator("[data-recorder]")
    record = page.get_by_role("button", name="Record your answer")
    expect(record).to_be_visible()

    # The first part: recording until the server has acknowledged a chunk, then a reload.
    record.click()
    expect(page.get_by_role("button", name="Stop recording")).to_be_visible()
    expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)
    expect(page.locator("meter[data-recorder-level]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "recording.png"), full_page=True)
    page.reload()

    kept_ms = Recording.objects.get(item__interview=interview).recorded_ms
    assert 1500 <= kept_ms <= 4000
    expect(page.locator("[data-recorder-status]")).to_contain_text("Your recording so far is kept")
    page.get_by_label("Your answer").fill("Attention weighs values by query-key similarity.")

    # The second part: record on, then submit, which stops the recording and waits for it.
    page.get_by_role("button", name="Record your answer").click()
    started = time.monotonic()
    expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Submit answer").click()
    second_ms = (time.monotonic() - started) * 1000

    expect(page.locator("#step")).to_have_attribute("data-step", "grade", timeout=15_000)
    region = page.get_by_role("region", name="Your recorded answer")
    expect(region).to_be_visible()
    expect(region.locator("audio")).to_have_attribute("aria-label", "Your recorded answer")
    recorded_seconds = (kept_ms + second_ms) / 1000
    played_seconds = player_duration(page)
    print(f"recorded {recorded_seconds:.2f} s, the player says {played_seconds:.2f} s")
    assert played_seconds == pytest.approx(recorded_seconds, abs=1.0)
    page.screenshot(path=str(SHOTS / "grade-step-recording.png"), full_page=True)

    recording = Recording.objects.get(item=item(interview, 1))
    with storages["recordings"].open(recording.file, "rb") as stored:
        data = stored.read()
    assert container_of(data) in {"matroska,webm", "ogg"}
    assert duration_seconds(data) == pytest.approx(recorded_seconds, abs=1.0)

    # Another user gets the same 404 as for a recording that does not exist.
    django_user_model.objects.create_user("other", "other@example.com", PASSWORD)
    other = browser.new_context()
    other_page = other.new_page()
    log_in(other_page, live_server.url, "other", PASSWORD)
    response = other_page.goto(f"{live_server.url}{recording.get_absolute_url()}")
    assert response.status == 404
    other.close()


def test_a_chunk_sent_after_the_session_ended_says_to_log_in_again(
    page: Page, live_server, speaker, recordings_dir
):
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{speaker.get_absolute_url()}")
    recorder = page.locator("[data-recorder]")
    page.get_by_role("button", name="Record your answer").click()
    expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)

    # The session ends (expired, or logged out in another tab); the CSRF cookie stays.
    page.context.clear_cookies(name="sessionid")

    # fetch once followed the redirect to the log-in page and reported its 200.
    expect(page.locator("[data-recorder-status]")).to_contain_text(
        "You have been logged out; log in again in another tab", timeout=ACK_TIMEOUT_MS
    )
    assert Recording.objects.get(item__interview=speaker).chunk_count >= 1


def test_with_the_microphone_refused_typing_still_works(page: Page, live_server, speaker):
    interview = speaker
    page.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
            Promise.reject(new DOMException("Permission denied", "NotAllowedError"));"""
    )
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")

    page.get_by_role("button", name="Record your answer").click()

    expect(page.locator("[data-recorder-status]")).to_contain_text(
        "The microphone is not allowed for this site"
    )
    expect(page.get_by_role("button", name="Record your answer")).to_be_visible()
    answer = page.get_by_label("Your answer")
    answer.fill("Typed, since the microphone is off.")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade")
    expect(page.locator(".answer-text")).to_contain_text("Typed, since the microphone is off.")
    assert not Recording.objects.exists()


def test_without_a_recording_api_the_recorder_stays_hidden(page: Page, live_server, speaker):
    interview = speaker
    page.add_init_script("delete window.MediaRecorder;")
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    expect(page.get_by_label("Your answer")).to_be_visible()
    expect(page.get_by_role("button", name="Record your answer")).to_be_hidden()


def test_the_saved_length_counts_the_last_stretch_once(page: Page, live_server, speaker):
    # The last piece arrives after Stop: its length must not be added to the time already
    # counted (4 s recorded once read "saved (0:08)").
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{speaker.get_absolute_url()}")
    recorder = page.locator("[data-recorder]")
    page.get_by_role("button", name="Record your answer").click()
    expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)
    page.get_by_role("button", name="Stop recording").click()
    status = page.locator("[data-recorder-status]")
    expect(status).to_contain_text("Your recording is saved", timeout=ACK_TIMEOUT_MS)
    shown = page.locator("[data-recorder-elapsed]").inner_text().strip()
    saved = status.inner_text().split("(")[1].split(")")[0]
    assert saved == shown
