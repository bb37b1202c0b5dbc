"""The schedule of periodic work: each job's slot is queued once, however many workers check
the schedule, and each job does its work when run."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import AttemptCounter
from interviewprep import periodic
from interviewprep.models import PeriodicRun
from sessions import engine
from sessions.models import FinishState, InterviewStatus
from tests.factories import T0, item, start
from tests.test_concurrency import race

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_slot_is_the_start_of_its_period():
    now = datetime(2026, 3, 2, 9, 47, 31, tzinfo=UTC)
    assert periodic.slot_of(now, timedelta(minutes=1)) == datetime(2026, 3, 2, 9, 47, tzinfo=UTC)
    assert periodic.slot_of(now, timedelta(minutes=15)) == datetime(2026, 3, 2, 9, 45, tzinfo=UTC)
    assert periodic.slot_of(now, timedelta(hours=1)) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert periodic.slot_of(now, timedelta(days=1)) == datetime(2026, 3, 2, tzinfo=UTC)


def test_each_slot_is_queued_once(settings, db):
    settings.TASKS = DATABASE_TASKS
    now = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)

    assert periodic.enqueue_due(now) == [job.name for job in periodic.JOBS]
    assert periodic.enqueue_due(now + timedelta(seconds=30)) == []
    assert periodic.enqueue_due(now + timedelta(minutes=1)) == ["close_expired_interviews"]

    assert DBTaskResult.objects.count() == len(periodic.JOBS) + 1
    queued = DBTaskResult.objects.filter(task_path="sessions.tasks.close_expired_interviews")
    assert sorted(result.args_kwargs["args"][0] for result in queued) == [
        "2026-03-02T09:00:00+00:00",
        "2026-03-02T09:01:00+00:00",
    ]


@pytest.mark.django_db(transaction=True)
def test_workers_checking_the_schedule_at_once_queue_each_slot_once(settings, seeded):
    settings.TASKS = DATABASE_TASKS
    now = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    # On SQLite the threads take turns (see test_concurrency); on PostgreSQL they race.
    turns = None if connections["default"].vendor == "postgresql" else threading.Lock()

    queued = race([lambda: periodic.enqueue_due(now)] * 6, turns)

    assert sorted(name for names in queued for name in names) == sorted(
        job.name for job in periodic.JOBS
    )
    assert PeriodicRun.objects.count() == DBTaskResult.objects.count() == len(periodic.JOBS)


def test_the_clock_job_finalises_answers_nobody_submitted(seeded, alice, time_machine):
    interview = start(alice, (1,), T0, timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), T0)

    # The tests' tasks run at once: queueing the slot runs the job.
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    periodic.enqueue_due(T0 + timedelta(minutes=5))

    answered = item(interview, 1)
    assert answered.finish_state == FinishState.TIMED_OUT
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert PeriodicRun.objects.filter(job="close_expired_interviews").count() == 1


def test_the_daily_job_clears_expired_counters_and_sessions(db, time_machine):
    AttemptCounter.objects.create(
        kind="sign-ups", who="192.0.2.1", window_number=1, attempts=3, expires_at=T0
    )
    live = AttemptCounter.objects.create(
        kind="sign-ups",
        who="192.0.2.2",
        window_number=2,
        attempts=1,
        expires_at=T0 + timedelta(hours=1),
    )
    time_machine.move_to(T0 + timedelta(minutes=1), tick=False)
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - timedelta(days=1)
    )

    periodic.enqueue_due(T0 + timedelta(minutes=1))

    assert list(AttemptCounter.objects.all()) == [live]
    assert not Session.objects.filter(session_key="old").exists()
