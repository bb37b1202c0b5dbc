"""Upkeep of the task machinery itself: old periodic runs and finished task results go."""

from datetime import timedelta

from django.core.management import call_command
from django.tasks import default_task_backend, task
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from interviewprep.models import PeriodicRun

KEEP = timedelta(days=7)


@task
def prune_task_history(slot: str) -> int:
    """Forget periodic runs and finished tasks more than a week old (failed ones included,
    after a week in the admin)."""
    cutoff = timezone.now() - KEEP
    deleted, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    if isinstance(default_task_backend, DatabaseBackend):
        call_command(
            "prune_db_task_results",
            min_age_days=KEEP.days,
            failed_min_age_days=KEEP.days,
            verbosity=0,
        )
    return deleted
