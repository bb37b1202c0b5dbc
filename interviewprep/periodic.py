"""The schedule of periodic work, run by the task workers: no cron needed.

Each worker process checks the schedule every few seconds (`run_worker`). A job's run for
the current slot is queued by whichever worker first inserts its (job, slot) row; the unique
constraint turns every other worker's insert away, so two workers never queue one slot twice,
and the task backend gives each queued task to one worker. A slot missed while no worker ran
is not caught up: each job's next slot does its work."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from interviewprep.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    # The dotted path of a task taking the slot's start as an ISO string: the run's name in
    # the admin. The task works from the clock when it runs, which may be later.
    task: str


JOBS = (
    # Questions whose time ran out while nobody was there are final within a minute.
    PeriodicJob(
        "close_expired_interviews", timedelta(minutes=1), "sessions.tasks.close_expired_interviews"
    ),
    # Reminders go out within a quarter of an hour of the hour each user chose (time zones
    # are offset by whole quarters of an hour).
    PeriodicJob("send_reminders", timedelta(minutes=15), "progress.tasks.send_reminders"),
    PeriodicJob("purge_recordings", timedelta(hours=1), "sessions.tasks.purge_recordings"),
    PeriodicJob("prune_task_history", timedelta(days=1), "interviewprep.tasks.prune_task_history"),
    PeriodicJob("clear_expired", timedelta(days=1), "accounts.tasks.clear_expired"),
)

# How often each worker looks at the schedule.
CHECK_SECONDS = 10


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the period of length `every` that holds `now`, counted from the epoch."""
    seconds = int(every.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=UTC)


def enqueue_due(now: datetime, jobs: tuple[PeriodicJob, ...] = JOBS) -> list[str]:
    """Queue the run of each job whose current slot has none yet; the names of those queued."""
    queued = []
    for job in jobs:
        slot = slot_of(now, job.every)
        if PeriodicRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            # The row and the queued task commit together: a run is recorded only if queued.
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, slot=slot, queued_at=now)
                import_string(job.task).enqueue(slot.isoformat())
        except IntegrityError:
            continue  # another worker queued this slot first
        logger.info("Queued %s for %s.", job.name, slot.isoformat())
        queued.append(job.name)
    return queued
