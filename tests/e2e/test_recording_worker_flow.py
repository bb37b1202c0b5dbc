"""In the browser with a fake microphone and the database task backend: after submitting a
spoken answer the grade step says the recording is being prepared; a worker joins it and the
player appears in the page by itself (htmx polling), no reload. On PostgreSQL the worker is a
real `run_worker` process; on SQLite, whose test database lives in this process's memory, the
same worker loop runs in a thread of the test process."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Page, expect

from sessions.models import Recording
from tests.e2e.browser import log_in
from tests.factories import start
from tests.worker_processes import worker_database

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase"
ACK_TIMEOUT_MS = 15_000
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def speaker(django_user_model):
    user = django_user_model.objects.create_user("speaker", "speaker@example.com", PASSWORD)
    return start(user, (1,), timezone.now(), timing_mode="fixed", fixed_seconds=120)


@pytest.fixture
def start_worker(tmp_path, recordings_dir, settings):
    settings.TASKS = DATABASE_TASKS
    stops = []

    def start_one() -> None:
        if connection.vendor == "postgresql":
            database = worker_database(tmp_path, RECORDINGS_DIR=str(recordings_dir))
            database.start_worker("--no-schedule")
            stops.append(database.stop_workers)
            return
        worker = Worker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="e2e-thread",
            excluded_queue_names=[],
        )
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()

        def stop() -> None:
            worker.running = False
            thread.join(timeout=10)
            connections.close_all()

        stops.append(stop)

    yield start_one
    for stop in stops:
        stop()


def test_the_player_appears_once_the_worker_has_joined_the_recording(
    page: Page, live_server, speaker, start_worker
):
    interview = speaker
    log_in(page, live_server.url, "speaker", PASSWORD)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    recorder = page.locator("[data-recorder]")
    page.get_by_role("button", name="Record your answer").click()
    expect(recorder).to_have_attribute("data-acknowledged", "1", timeout=ACK_TIMEOUT_MS)
    page.get_by_label("Your answer").fill("Spoken, then joined by the worker.")
    page.get_by_role("button", name="Submit answer").click()

    expect(page.locator("#step")).to_have_attribute("data-step", "grade", timeout=15_000)
    preparing = page.get_by_role("status").filter(has_text="Preparing your recording…")
    expect(preparing).to_be_visible()
    expect(preparing.get_by_role("link", name="Refresh")).to_be_visible()
    assert not Recording.objects.get().file

    start_worker()

    region = page.get_by_role("region", name="Your recorded answer")
    expect(region).to_be_visible(timeout=30_000)
    expect(preparing).to_have_count(0)
    duration = region.locator("audio").evaluate(
        """audio => new Promise(resolve => {
            const done = () => resolve(audio.duration);
            if (audio.readyState >= 1 && isFinite(audio.duration)) done();
            else { audio.addEventListener("loadedmetadata", done); audio.load(); }
        })"""
    )
    assert duration > 0.5
    assert Recording.objects.get().file
