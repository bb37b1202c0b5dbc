"""The interview's periodic work, queued by the schedule (interviewprep/periodic.py): the
clock finalising answers nobody submitted, and the recordings' retention."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from sessions import engine
from sessions.models import Recording
from sessions.recordings import store as recording_store
from sessions.recordings import tasks as recording_tasks


@task
def close_expired_interviews(slot: str) -> int:
    """Finalise the questions whose time ran out, and queue the joins of their recordings."""
    now = timezone.now()
    count = engine.close_expired_interviews(now)
    recording_tasks.queue_waiting_joins(now)
    return count


@task
def purge_recordings(slot: str) -> int:
    """Delete zips past their time and, with RECORDINGS_RETENTION_DAYS set, recordings older
    than that; how many rows went."""
    now = timezone.now()
    deleted = recording_tasks.delete_expired_exports(now)
    if settings.RECORDINGS_RETENTION_DAYS:
        cutoff = now - timedelta(days=settings.RECORDINGS_RETENTION_DAYS)
        deleted += recording_store.delete(Recording.objects.filter(created_at__lt=cutoff))
    return deleted
