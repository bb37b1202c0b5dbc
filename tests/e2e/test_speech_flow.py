"""In the browser: transcription and the question read aloud. Headless Chromium has no speech
service and no voices, so the page runs against stand-ins for SpeechRecognition and
speechSynthesis injected before it loads; what is tested is the page's own logic."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Profile
from tests.e2e.browser import log_in
from tests.e2e.test_recording_flow import PASSWORD
from tests.factories import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A SpeechRecognition that says what the test tells it to, and a speechSynthesis that keeps
# what it was asked to say. `processLocally` is offered, as in recent Chromium.
STUBS = """
window.__spoken = [];
window.__recognitions = [];
class FakeRecognition extends EventTarget {
  constructor() { super(); this.processLocally = false; window.__recognitions.push(this); }
  start() { this.started = true; }
  stop() { this.started = false; this.dispatchEvent(new Event("end")); }
}
FakeRecognition.available = async (options) => "available";
window.SpeechRecognition = FakeRecognition;
window.__say = (text, isFinal) => {
  const recognition = window.__recognitions[window.__recognitions.length - 1];
  const alternative = { transcript: text };
  const result = Object.assign([alternative], { isFinal: isFinal });
  const event = new Event("result");
  event.resultIndex = 0;
  event.results = [result];
  recognition.dispatchEvent(event);
};
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: (utterance) => window.__spoken.push(utterance.text), cancel: () => {} },
});
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
"""


@pytest.fixture
def interview(django_user_model):
    user = django_user_model.objects.create_user("talker", "talker@example.com", PASSWORD)
    Profile.objects.create(user=user, transcribe_speech=True, read_questions_aloud=True)
    return start(user, (1, 2), timezone.now(), timing_mode="untimed")


def test_the_transcript_streams_into_the_answer_box_and_is_submitted(
    page: Page, live_server, interview
):
    page.add_init_script(STUBS)
    log_in(page, live_server.url, "talker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    prompt = page.locator("h1.prompt").inner_text()

    # Read aloud when it appears (the setting), and again on request.
    assert page.evaluate("window.__spoken") == [prompt]
    page.get_by_role("button", name="Read the question aloud").click()
    assert page.evaluate("window.__spoken") == [prompt, prompt]

    answer = page.get_by_label("Your answer")
    answer.fill("Notes:")
    page.get_by_role("button", name="Record your answer").click()
    expect(page.locator("[data-speech-status]")).to_contain_text("Transcribing on your device")
    assert page.evaluate("window.__recognitions[0].processLocally") is True

    page.evaluate("window.__say('a neuron', false)")
    expect(answer).to_have_value("Notes: a neuron")
    page.evaluate("window.__say('a neuron weighs its inputs', true)")
    expect(answer).to_have_value("Notes: a neuron weighs its inputs")
    # Autosaved like typing.
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=5_000)
    # Editable: the user's edit stays when more words arrive.
    answer.fill("Notes: a neuron weighs its inputs, then")
    page.evaluate("window.__say('adds a bias', false)")
    expect(answer).to_have_value("Notes: a neuron weighs its inputs, then adds a bias")

    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "grade", timeout=10_000)
    expect(page.locator(".answer-text")).to_contain_text(
        "Notes: a neuron weighs its inputs, then adds a bias"
    )


def test_without_on_device_recognition_the_page_says_the_audio_leaves(
    page: Page, live_server, interview
):
    page.add_init_script(STUBS + "FakeRecognition.available = async () => 'unavailable';")
    log_in(page, live_server.url, "talker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Record your answer").click()
    expect(page.locator("[data-speech-status]")).to_contain_text(
        "your browser sends the audio to its maker's speech service"
    )
    assert page.evaluate("window.__recognitions[0].processLocally") is False
