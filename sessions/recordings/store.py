"""Keeping spoken answers: chunks into the recordings storage as they arrive, joined into one
file once the answer is final, and their files deleted with their rows."""

import logging
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete
from django.dispatch import receiver

from interviewprep import cache_versions
from sessions.models import Recording, RecordingChunk, SessionQuestion
from sessions.recordings import rules as recording_rules
from sessions.recordings.delivery import count_words
from sessions.recordings.remux import NothingPlayable, join_segments

logger = logging.getLogger(__name__)

READ_BLOCK = 64 * 1024


def storage():
    return storages["recordings"]


@dataclass(frozen=True)
class Acknowledgement:
    segment: int
    sequence: int
    duplicate: bool


def _chunk_name(item: SessionQuestion, segment: int, sequence: int) -> str:
    # A token of its own: when two requests race with the same chunk, the one that loses
    # deletes its file, never the winner's (a bucket overwrites a name already taken).
    return (
        f"{item.interview.user_id}/{item.pk}/chunks/"
        f"{segment:03d}-{sequence:06d}-{secrets.token_hex(4)}.part"
    )


def user_bytes(user_id: int) -> int:
    total = Recording.objects.filter(item__interview__user_id=user_id).aggregate(
        total=Sum("size_bytes")
    )["total"]
    return total or 0


def already_kept(recording: Recording, chunk: recording_rules.ChunkInfo) -> bool:
    return RecordingChunk.objects.filter(
        recording=recording, segment=chunk.segment, sequence=chunk.sequence
    ).exists()


def add_chunk(item: SessionQuestion, chunk: recording_rules.ChunkInfo, data: bytes, now: datetime):
    """Keep one chunk of the answer's recording, or say why not (recording_rules.ChunkRefused).
    A chunk already kept is acknowledged again and changes nothing."""
    recording = Recording.objects.filter(item=item).first()
    if recording is not None and already_kept(recording, chunk):
        return Acknowledgement(chunk.segment, chunk.sequence, duplicate=True)
    found = recording_rules.check_chunk(
        item,
        chunk,
        now,
        answer_bytes=recording.size_bytes if recording else 0,
        user_bytes=user_bytes(item.interview.user_id),
        container=recording.container if recording else "",
    )
    if recording is None:
        # Only once a chunk is accepted, so a refused one leaves no empty recording behind.
        recording, _ = Recording.objects.get_or_create(item=item, defaults={"created_at": now})
    limit = recording_rules.limits_for(item).max_bytes
    # Reserve the bytes with a conditional UPDATE, so two racing chunks cannot both fit.
    reserved = Recording.objects.filter(pk=recording.pk, size_bytes__lte=limit - chunk.size).update(
        size_bytes=F("size_bytes") + chunk.size,
        segments=Greatest(F("segments"), chunk.segment + 1),
        recorded_ms=Greatest(F("recorded_ms"), chunk.elapsed_ms),
        **({"container": found} if found else {}),
    )
    if not reserved:
        raise recording_rules.ChunkRefused(
            f"A recorded answer can hold {limit // recording_rules.MB} MB; the rest was not kept.",
            413,
        )
    name = storage().save(_chunk_name(item, chunk.segment, chunk.sequence), ContentFile(data))
    try:
        with transaction.atomic():
            RecordingChunk.objects.create(
                recording=recording,
                segment=chunk.segment,
                sequence=chunk.sequence,
                size_bytes=chunk.size,
                file=name,
                received_at=now,
            )
    except IntegrityError:
        # The same chunk, sent twice at once, was kept by the other request.
        _delete_file(name)
        Recording.objects.filter(pk=recording.pk).update(size_bytes=F("size_bytes") - chunk.size)
        return Acknowledgement(chunk.segment, chunk.sequence, duplicate=True)
    return Acknowledgement(chunk.segment, chunk.sequence, duplicate=False)


def needs_assembly(recording: Recording | None) -> bool:
    return recording is not None and not recording.file and recording.segments > 0


def assemble(recording: Recording, now: datetime) -> Recording:
    """Join the final answer's segments into one file and let the chunks go. Segments whose
    first piece never arrived, and pieces after a gap, cannot be played and are left out.
    If nothing can be played, the chunks are kept and the answer has no player."""
    item = recording.item
    chunks = list(recording.chunks.order_by("segment", "sequence"))
    by_segment: dict[int, dict[int, RecordingChunk]] = {}
    for chunk in chunks:
        by_segment.setdefault(chunk.segment, {})[chunk.sequence] = chunk
    segments = []
    for pieces in (by_segment[number] for number in sorted(by_segment)):
        playable = recording_rules.playable_sequences(pieces)
        if playable:
            segments.append(b"".join(_read(pieces[sequence].file) for sequence in playable))
    max_seconds = recording_rules.limits_for(item).max_ms / 1000
    try:
        joined = join_segments(segments, max_seconds)
    except NothingPlayable:
        logger.warning("Recording %s has nothing playable yet.", recording.pk)
        return recording
    extension = joined.container.value
    name = storage().save(
        f"{item.interview.user_id}/{item.pk}/answer-{secrets.token_hex(4)}.{extension}",
        ContentFile(joined.data),
    )
    with transaction.atomic():
        updated = Recording.objects.filter(pk=recording.pk, file="").update(
            file=name,
            container=joined.container,
            duration_ms=joined.duration_ms,
            size_bytes=len(joined.data),
            # Words spoken: the transcript's, none without one (typed notes are not speech).
            word_count=count_words(item.transcript),
            assembled_at=now,
        )
        if updated:
            RecordingChunk.objects.filter(pk__in=[chunk.pk for chunk in chunks]).delete()
            # The dashboard's speaking pace counts joined recordings.
            cache_versions.bump_progress(item.interview.user_id)
    if not updated:
        _delete_file(name)  # joined by another request meanwhile
    recording.refresh_from_db()
    return recording


def delete(recordings_to_delete) -> int:
    """Delete recordings (a queryset) with their files, and tell each owner's dashboard."""
    user_ids = set(recordings_to_delete.values_list("item__interview__user_id", flat=True))
    _, deleted = recordings_to_delete.delete()
    for user_id in user_ids:
        cache_versions.bump_progress(user_id)
    return deleted.get(Recording._meta.label, 0)


def assemble_if_needed(item: SessionQuestion, now: datetime) -> Recording | None:
    """The final answer's recording, joined into one file if it is not yet."""
    try:
        recording = item.recording
    except Recording.DoesNotExist:
        return None
    if item.is_finalised and needs_assembly(recording):
        return assemble(recording, now)
    return recording


def _read(name: str) -> bytes:
    with storage().open(name, "rb") as handle:
        return handle.read()


def _delete_file(name: str) -> None:
    try:
        storage().delete(name)
    except OSError:
        logger.exception("Could not delete the recording file %s.", name)


@receiver(post_delete, sender=Recording)
@receiver(post_delete, sender=RecordingChunk)
def delete_file_with_row(sender, instance, **kwargs) -> None:
    """A recording's files go when its rows go: one deleted from its history, with its
    interview, or with the account (a cascade sends this signal for every row)."""
    if instance.file:
        transaction.on_commit(lambda: _delete_file(instance.file))


# Reading back


def read_blocks(name: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The file's bytes from `start`, `length` of them (all without), in blocks."""
    with storage().open(name, "rb") as handle:
        handle.seek(start)
        left = length
        while left is None or left > 0:
            block = handle.read(READ_BLOCK if left is None else min(READ_BLOCK, left))
            if not block:
                return
            if left is not None:
                left -= len(block)
            yield block


class _Drain:
    """A write-only file whose bytes are collected until the zip's generator hands them on.
    It cannot seek, so zipfile writes each entry's sizes after its data."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_entry_name(recording: Recording) -> str:
    item = recording.item
    return (
        f"interview-{item.interview_id}/question-{item.position:02d}-"
        f"{item.question.slug}.{recording.container}"
    )


def stream_zip(recordings_to_zip: Iterator[Recording]) -> Iterator[bytes]:
    """A zip of the recordings, produced as it is sent: at most one block of audio is held
    in memory at a time. Audio is already compressed, so entries are stored as they are."""
    drain = _Drain()
    with zipfile.ZipFile(drain, "w", compression=zipfile.ZIP_STORED) as archive:
        for recording in recordings_to_zip:
            info = zipfile.ZipInfo(
                zip_entry_name(recording), date_time=recording.created_at.timetuple()[:6]
            )
            with archive.open(info, "w", force_zip64=True) as entry:
                for block in read_blocks(recording.file):
                    entry.write(block)
                    yield drain.take()
            yield drain.take()
    yield drain.take()
