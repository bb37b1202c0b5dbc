"""The recording join as a task: queued once when the answer is final, the grade step saying
"preparing" (polled with htmx, a refresh link without it) until the worker is done; a join
that keeps failing is retried, then recorded as failed once, its pieces kept."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviewprep import task_retries
from sessions import engine
from sessions.models import Recording
from sessions.recordings import store as recording_store
from sessions.recordings import tasks as recording_tasks
from tests.audio import tone
from tests.factories import T0, item, start
from tests.recording_uploads import send_stream

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock(time_machine, recordings_dir):
    time_machine.move_to(T0, tick=False)


@pytest.fixture
def spoken(seeded, alice, alice_client):
    """Question 1 of alice's interview, spoken, not yet submitted."""
    interview = start(alice, (1, 2), now=T0, timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), T0)
    send_stream(alice_client, interview.pk, 1, tone(2.0, "webm"))
    return interview


def submit(client, interview):
    return client.post(
        reverse("interviews:submit", args=[interview.pk, 1]), {"answer": "Spoken."}, follow=True
    )


def grade_step(interview) -> str:
    return reverse("interviews:review", args=[interview.pk, 1])


def test_the_grade_step_says_preparing_until_the_worker_has_joined_it(
    alice_client, spoken, settings
):
    settings.TASKS = DATABASE_TASKS  # queued, not run, until a worker takes it

    page = submit(alice_client, spoken).text

    recording = Recording.objects.get()
    status_url = reverse("interviews:recording_status", args=[recording.pk])
    assert "Preparing your recording…" in page
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    assert f'<a href="{grade_step(spoken)}">Refresh</a>' in page
    assert "<audio" not in page
    assert recording.join_queued_at == T0
    # Drawing the step again queues nothing more.
    alice_client.get(grade_step(spoken))
    assert DBTaskResult.objects.filter(task_path__endswith="join_recording").count() == 1

    polled = alice_client.get(status_url, **HTMX)
    assert "Preparing your recording…" in polled.text

    recording_tasks.join_recording.call(recording.pk)

    polled = alice_client.get(status_url, **HTMX)
    assert "<audio" in polled.text
    assert "hx-trigger" not in polled.text  # the player polls no more
    assert "Speaking time" in polled.text
    assert "<audio" in alice_client.get(grade_step(spoken)).text


def test_the_status_is_its_owners_only(alice_client, bob_client, client, spoken, settings):
    settings.TASKS = DATABASE_TASKS
    submit(alice_client, spoken)
    status_url = reverse("interviews:recording_status", args=[Recording.objects.get().pk])

    assert bob_client.get(status_url, **HTMX).status_code == 404
    # Anonymous polling is sent to log in, as every htmx request is.
    assert client.get(status_url, **HTMX)["HX-Redirect"].startswith(reverse("login"))
    # Without htmx, the grade step itself.
    assert alice_client.get(status_url).url == grade_step(spoken)


def test_a_submit_does_not_join_the_recording_itself(alice_client, spoken, settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    joins = []
    monkeypatch.setattr(recording_store, "assemble", lambda *args: joins.append(args))

    submit(alice_client, spoken)
    alice_client.get(grade_step(spoken))
    alice_client.get(reverse("interviews:recording_audio", args=[Recording.objects.get().pk]))

    assert joins == []


def test_a_join_that_keeps_failing_is_recorded_failed_once_and_keeps_its_pieces(
    alice_client, spoken, monkeypatch
):
    attempts = []

    def broken(recording, now):
        attempts.append(recording.pk)
        raise OSError("storage hiccup")

    monkeypatch.setattr(recording_store, "assemble", broken)

    page = submit(alice_client, spoken).text

    assert len(attempts) == task_retries.MAX_ATTEMPTS
    recording = Recording.objects.get()
    assert (recording.file, recording.assembled_at) == ("", T0)
    assert recording.chunks.count() == 3
    assert "could not be put together into one file; its pieces are kept" in page
    assert "Preparing" not in page
    # Seen again, it is not tried again.
    alice_client.get(grade_step(spoken))
    assert len(attempts) == task_retries.MAX_ATTEMPTS


def test_the_clock_job_queues_the_joins_of_answers_that_ran_out(alice_client, spoken, settings):
    settings.TASKS = DATABASE_TASKS
    later = T0 + timezone.timedelta(minutes=5)

    recording_tasks.queue_waiting_joins(later)  # not final yet: nothing
    assert not DBTaskResult.objects.exists()
    engine.close_expired_interviews(later)
    assert recording_tasks.queue_waiting_joins(later) == 1
    assert recording_tasks.queue_waiting_joins(later) == 0

    # A join whose worker stopped mid-way is queued again once it is stale.
    much_later = later + recording_tasks.STALE_JOIN + timezone.timedelta(minutes=1)
    assert recording_tasks.queue_waiting_joins(much_later) == 1
    assert DBTaskResult.objects.count() == 2


def test_the_page_stops_polling_when_the_worker_takes_too_long(
    alice_client, spoken, settings, time_machine
):
    settings.TASKS = DATABASE_TASKS
    submit(alice_client, spoken)
    status_url = reverse("interviews:recording_status", args=[Recording.objects.get().pk])
    assert "hx-trigger" in alice_client.get(status_url, **HTMX).text

    time_machine.move_to(T0 + recording_tasks.POLL_FOR, tick=False)
    polled = alice_client.get(status_url, **HTMX).text
    page = alice_client.get(grade_step(spoken)).text

    for text in (polled, page):
        assert "Preparing your recording is taking longer than usual." in text
        assert 'hx-trigger="every 2s"' not in text
        assert f'<a href="{grade_step(spoken)}">Refresh</a>' in text
