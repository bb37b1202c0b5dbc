"""Work on spoken answers done by the task workers, off the request path: joining a final
answer's pieces into one file, and building the zip of all of a user's recordings."""

import logging
import secrets
import tempfile
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from interviewprep.task_retries import MAX_ATTEMPTS, retry_or_raise
from sessions.models import FollowUpAnswer, Recording, SessionQuestion
from sessions.recordings import store as recording_store
from sessions.recordings.exports import ExportStatus, RecordingsExport
from sessions.recordings.models import on_either_parent

logger = logging.getLogger(__name__)

# Joins queued this long ago and still not ended (a worker killed mid-join) are queued again
# by the minute job (sessions.tasks.close_expired_interviews); longer than every retry's
# backoff together.
STALE_JOIN = timedelta(hours=2)


# How long a page polls for a recording being prepared; then it says to come back later.
POLL_FOR = timedelta(minutes=3)


def worth_polling(recording: Recording | None, now: datetime) -> bool:
    """Whether a page showing this recording should keep asking for it: it is being prepared,
    and its join was queued recently (a worker that is down or behind is not waited for)."""
    return bool(
        recording is not None
        and recording.is_being_prepared
        and (recording.join_queued_at is None or now - recording.join_queued_at < POLL_FOR)
    )


def _waiting_to_join():
    """Final answers' recordings (to questions or follow-ups) whose pieces wait to be joined."""
    return Recording.objects.filter(
        on_either_parent(lambda parent: Q(**{f"{parent}__submitted_at__isnull": False})),
        file="",
        segments__gt=0,
        assembled_at__isnull=True,
    )


def queue_join(item: SessionQuestion | FollowUpAnswer, now: datetime) -> Recording | None:
    """The final answer's recording (a question's or a follow-up's), its join queued if it
    waits for one and none is queued yet: a page that shows it says "preparing" until the
    worker is done."""
    try:
        recording = item.recording
    except Recording.DoesNotExist:
        return None
    if not item.is_finalised or not recording.is_being_prepared:
        return recording
    if recording.join_queued_at is None:
        with transaction.atomic():
            # Of two requests arriving at once, the one whose update lands queues the join.
            if (
                Recording.objects.filter(pk=recording.pk, join_queued_at__isnull=True).update(
                    join_queued_at=now
                )
                == 1
            ):
                join_recording.enqueue(recording.pk)
        recording.refresh_from_db()
    return recording


def queue_waiting_joins(now: datetime) -> int:
    """Queue the joins nobody queued (answers the clock finalised), and again those queued so
    long ago that their worker must have stopped mid-way; how many were queued."""
    _waiting_to_join().filter(join_queued_at__lt=now - STALE_JOIN).update(join_queued_at=None)
    unqueued = _waiting_to_join().filter(join_queued_at__isnull=True)
    answers = [
        *SessionQuestion.objects.filter(recording__in=unqueued).select_related("recording"),
        *FollowUpAnswer.objects.filter(recording__in=unqueued).select_related("recording"),
    ]
    return sum(1 for answer in answers if queue_join(answer, now).join_queued_at == now)


def _record_failed_join(recording_id: int, now: datetime) -> None:
    # The join has ended without a file: the pieces are kept and the page says so.
    Recording.objects.filter(pk=recording_id, file="", assembled_at__isnull=True).update(
        assembled_at=now
    )


@task
def join_recording(recording_id: int, attempt: int = 1) -> bool:
    """Join a final answer's pieces into one file; True when it has one. A join that raises
    is retried with backoff; when the attempts are used up the pieces are kept, the page
    says the recording could not be put together, and the task is left failed."""
    recording = (
        Recording.objects.filter(pk=recording_id)
        .select_related("item__interview", "follow_up__interview")
        .first()
    )
    if recording is None or not recording.is_being_prepared:
        return bool(recording and recording.file)
    try:
        # A join that fails is recorded by assemble itself; one that another worker holds
        # returns without a file and is left to that worker.
        recording = recording_store.assemble(recording, timezone.now())
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            _record_failed_join(recording_id, timezone.now())
        retry_or_raise(join_recording, error, attempt, recording_id)
    return bool(recording.file)


# The recordings zip


def request_export(user, now: datetime) -> RecordingsExport:
    """The user's zip being built, or a new one queued."""
    try:
        with transaction.atomic():
            export = RecordingsExport.objects.create(user=user, requested_at=now)
            build_recordings_zip.enqueue(export.pk)
    except IntegrityError:
        # One is already being built (the constraint allows one at a time): that one.
        return RecordingsExport.objects.get(
            user=user, status__in=[ExportStatus.QUEUED, ExportStatus.BUILDING]
        )
    export.refresh_from_db()
    return export


def _zip_entries(export: RecordingsExport):
    return (
        Recording.objects.owned_by(export.user_id)
        .exclude(file="")
        .select_related("item__question", "follow_up__item__question")
        .order_by("created_at", "pk")
    )


@task
def build_recordings_zip(export_id: int, attempt: int = 1) -> int:
    """Write every joined recording of the user's into one zip in the recordings storage,
    counting them off as it goes; the zip is kept for RECORDINGS_ZIP_HOURS. A recording deleted
    meanwhile is left out. Returns the zip's size in bytes."""
    export = RecordingsExport.objects.filter(pk=export_id).first()
    if export is None or export.status not in (ExportStatus.QUEUED, ExportStatus.BUILDING):
        return 0
    # Answers still waiting for their join are joined first, so that the zip holds them.
    for waiting in _waiting_to_join().owned_by(export.user_id):
        try:
            join_recording.call(waiting.pk, attempt=MAX_ATTEMPTS)
        except Exception:
            logger.exception("Recording %s could not be joined for a zip.", waiting.pk)
    entries = _zip_entries(export)
    RecordingsExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.BUILDING, recordings_total=entries.count(), recordings_done=0
    )
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
                for recording in entries.iterator(chunk_size=100):
                    _add_to_zip(archive, recording)
                    RecordingsExport.objects.filter(pk=export.pk).update(
                        recordings_done=F("recordings_done") + 1
                    )
            size = spool.tell()
            spool.seek(0)
            name = recording_store.storage().save(
                f"{export.user_id}/exports/recordings-{secrets.token_hex(8)}.zip", File(spool)
            )
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            RecordingsExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        retry_or_raise(build_recordings_zip, error, attempt, export_id)
    now = timezone.now()
    finished = RecordingsExport.objects.filter(pk=export.pk, status=ExportStatus.BUILDING).update(
        status=ExportStatus.READY,
        file=name,
        size_bytes=size,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.RECORDINGS_ZIP_HOURS),
    )
    if not finished:  # the account went meanwhile
        recording_store.storage().delete(name)
    return size if finished else 0


def _add_to_zip(archive: zipfile.ZipFile, recording: Recording) -> None:
    info = zipfile.ZipInfo(
        recording_store.zip_entry_name(recording), date_time=recording.created_at.timetuple()[:6]
    )
    try:
        blocks = recording_store.read_blocks(recording.file)
        first = next(blocks, b"")
    except FileNotFoundError:
        logger.info("Recording %s was deleted while its zip was built.", recording.pk)
        return
    with archive.open(info, "w", force_zip64=True) as entry:
        entry.write(first)
        for block in blocks:
            entry.write(block)


def delete_expired_exports(now: datetime) -> int:
    """Zips past their time, and failed builds a day old, go (their files with them)."""
    expired = RecordingsExport.objects.filter(
        Q(expires_at__lt=now)
        | Q(status=ExportStatus.FAILED, requested_at__lt=now - timedelta(days=1))
    )
    deleted, _ = expired.delete()
    return deleted


@receiver(post_delete, sender=RecordingsExport)
def delete_zip_with_row(sender, instance, **kwargs) -> None:
    """A zip's file goes when its row goes: expired, or with the account."""
    if instance.file:
        transaction.on_commit(lambda: recording_store.storage().delete(instance.file))
