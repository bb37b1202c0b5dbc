"""A task worker that also keeps the schedule of periodic work (interviewprep/periodic.py)."""

import logging
import os
import threading
import time

from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from interviewprep import periodic

logger = logging.getLogger(__name__)


def keep_schedule() -> None:
    """Queue each periodic job's due run, every few seconds, for as long as the worker runs."""
    while True:
        try:
            periodic.enqueue_due(timezone.now())
        except Exception:
            # A database that is away for a moment must not end the schedule for good.
            logger.exception("Could not check the schedule of periodic work.")
        finally:
            connection.close()
        time.sleep(periodic.CHECK_SECONDS)


class Command(db_worker.Command):
    help = (
        "Run queued tasks as they come (the database backend's db_worker) and queue the "
        "periodic jobs when they fall due. Run any number, on any node: each task runs once."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Run tasks only; leave the periodic jobs to the other workers.",
        )

    def handle(self, *args, schedule: bool, **options) -> None:
        # With autoreload the command runs twice: in the watching parent, which runs no tasks,
        # and in the child that does; only the child keeps the schedule.
        reloading = options["reload"] and not options["batch"]
        in_worker = not reloading or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if schedule and in_worker:
            threading.Thread(target=keep_schedule, name="schedule", daemon=True).start()
        super().handle(*args, **options)
