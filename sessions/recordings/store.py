"""Keeping spoken answers: chunks into the recordings storage as they arrive, joined into one
file once the answer is final, and their files deleted with their rows.

A join is claimed on its row first, so that one runs at a time; it is bounded (segments,
chunks and packets: settings RECORDINGS_MAX_SEGMENTS, RECORDINGS_MAX_CHUNKS,
RECORDINGS_JOIN_PACKETS_PER_SECOND), and one that fails is recorded on the row, logged once
and never started again. Its pieces are then listed in the question's history to delete."""

import contextlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete
from django.dispatch import receiver

from interviewprep import cache_versions
from sessions.models import (
    FollowUpAnswer,
    InterviewSession,
    InterviewStatus,
    Recording,
    RecordingChunk,
    RecordingsExport,
    SessionQuestion,
)
from sessions.recordings import rules as recording_rules
from sessions.recordings.delivery import count_words
from sessions.recordings.models import on_either_parent, parent_field
from sessions.recordings.remux import CannotJoin, join_segments

logger = logging.getLogger(__name__)

READ_BLOCK = 64 * 1024


def storage():
    return storages["recordings"]


@dataclass(frozen=True)
class Acknowledgement:
    segment: int
    sequence: int
    duplicate: bool


# What a recording answers: a question of an interview, or the follow-up asked after it.
Answer = SessionQuestion | FollowUpAnswer


def _folder(answer: Answer) -> str:
    """The answer's folder in the recordings storage, under its owner's."""
    kind = "follow-up-" if parent_field(answer) == "follow_up" else ""
    return f"{answer.interview.user_id}/{kind}{answer.pk}"


def _chunk_name(answer: Answer, segment: int, sequence: int) -> str:
    # A token of its own: when two requests race with the same chunk, the one that loses
    # deletes its file, never the winner's (a bucket overwrites a name already taken).
    return f"{_folder(answer)}/chunks/{segment:03d}-{sequence:06d}-{secrets.token_hex(4)}.part"


def user_bytes(user_id: int) -> int:
    """What counts against the user's quota: the recordings the user can see and delete,
    those of answers made final (in the question's history) and those being recorded in
    the interview in progress. Pieces of an abandoned interview's unanswered questions are
    deleted on abandon (drop_unanswered); any left from before do not count."""
    total = Recording.objects.filter(
        on_either_parent(
            lambda parent: (
                Q(**{f"{parent}__interview__user_id": user_id})
                & (
                    Q(**{f"{parent}__submitted_at__isnull": False})
                    | Q(**{f"{parent}__interview__status": InterviewStatus.IN_PROGRESS})
                )
            )
        )
    ).aggregate(total=Sum("size_bytes"))["total"]
    return total or 0


def already_kept(recording: Recording, chunk: recording_rules.ChunkInfo) -> bool:
    return RecordingChunk.objects.filter(
        recording=recording, segment=chunk.segment, sequence=chunk.sequence
    ).exists()


def add_chunk(answer: Answer, chunk: recording_rules.ChunkInfo, data: bytes, now: datetime):
    """Keep one chunk of the recording of a question's answer or of a follow-up's, or say why
    not (recording_rules.ChunkRefused). A chunk already kept is acknowledged again and
    changes nothing."""
    recording = Recording.objects.filter(**{parent_field(answer): answer}).first()
    if recording is not None and already_kept(recording, chunk):
        return Acknowledgement(chunk.segment, chunk.sequence, duplicate=True)
    with transaction.atomic():
        recording = _reserve(answer, recording, chunk, now)
    name = storage().save(_chunk_name(answer, chunk.segment, chunk.sequence), ContentFile(data))
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
        Recording.objects.filter(pk=recording.pk).update(
            size_bytes=F("size_bytes") - chunk.size, chunk_count=F("chunk_count") - 1
        )
        return Acknowledgement(chunk.segment, chunk.sequence, duplicate=True)
    return Acknowledgement(chunk.segment, chunk.sequence, duplicate=False)


def _reserve(
    answer: Answer, recording: Recording | None, chunk: recording_rules.ChunkInfo, now
) -> Recording:
    """Check the chunk against the rules and reserve its bytes, in the caller's transaction.
    The user's row is locked first: one user's chunks take turns between reading the bytes
    held and reserving theirs, so that racing chunks cannot all fit in the quota's last
    megabyte (the file itself is written after the lock is let go)."""
    user_id = answer.interview.user_id
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk").get()
    found = recording_rules.check_chunk(
        answer,
        chunk,
        now,
        answer_bytes=recording.size_bytes if recording else 0,
        answer_chunks=recording.chunk_count if recording else 0,
        user_bytes=user_bytes(user_id),
        container=recording.container if recording else "",
    )
    if recording is None:
        # Only once a chunk is accepted, so a refused one leaves no empty recording behind.
        recording, _ = Recording.objects.get_or_create(
            **{parent_field(answer): answer}, defaults={"created_at": now}
        )
    limit = recording_rules.limits_for(answer).max_bytes
    # A conditional UPDATE, so two racing chunks of one answer cannot both fit; and only
    # while the answer is open, so that none lands after its interview was abandoned.
    parent = parent_field(answer)
    reserved = Recording.objects.filter(
        pk=recording.pk,
        size_bytes__lte=limit - chunk.size,
        chunk_count__lt=settings.RECORDINGS_MAX_CHUNKS,
        **{
            f"{parent}__submitted_at__isnull": True,
            f"{parent}__interview__status": InterviewStatus.IN_PROGRESS,
        },
    ).update(
        size_bytes=F("size_bytes") + chunk.size,
        chunk_count=F("chunk_count") + 1,
        segments=Greatest(F("segments"), chunk.segment + 1),
        recorded_ms=Greatest(F("recorded_ms"), chunk.elapsed_ms),
        **({"container": found} if found else {}),
    )
    if not reserved:
        raise _refusal_as_stored_now(answer, recording, chunk, now, limit)
    return recording


def _refusal_as_stored_now(
    answer: Answer, recording: Recording, chunk: recording_rules.ChunkInfo, now, limit
) -> recording_rules.ChunkRefused:
    """Why the reservation failed, when another request changed the answer after it was
    read (a submit, an abandon, a racing chunk): the rules, asked again with what is stored
    now, say it."""
    answer.refresh_from_db()
    answer.interview.refresh_from_db(fields=["status"])
    recording.refresh_from_db()
    try:
        recording_rules.check_chunk(
            answer,
            chunk,
            now,
            answer_bytes=recording.size_bytes,
            answer_chunks=recording.chunk_count,
            user_bytes=user_bytes(answer.interview.user_id),
            container=recording.container,
        )
    except recording_rules.ChunkRefused as refusal:
        return refusal
    return recording_rules.ChunkRefused(
        f"A recorded answer can hold {limit // recording_rules.MB} MB; the rest was not kept.", 413
    )


def needs_assembly(recording: Recording | None) -> bool:
    """Not joined yet, and no join of it failed."""
    return (
        recording is not None
        and not recording.file
        and recording.segments > 0
        and recording.assembled_at is None
    )


def assemble(recording: Recording, now: datetime) -> Recording:
    """Join the final answer's segments into one file and let the chunks go. Segments whose
    first piece never arrived, and pieces after a gap, cannot be played and are left out.

    Only the request that claims the join runs it; the others return the recording as it
    is (not joined yet: "being put together"). If the join fails for any reason, the failure
    is recorded and logged once, the chunks are kept, the answer has no player, and no
    file of the attempt is left behind."""
    if not _claim(recording, now):
        return _reloaded(recording)
    answer = recording.answer
    name = ""
    try:
        joined = _join(recording, answer)
        name = storage().save(
            f"{_folder(answer)}/answer-{secrets.token_hex(4)}.{joined.container.value}",
            ContentFile(joined.data),
        )
        with transaction.atomic():
            updated = Recording.objects.filter(pk=recording.pk, file="").update(
                file=name,
                container=joined.container,
                duration_ms=joined.duration_ms,
                size_bytes=len(joined.data),
                chunk_count=0,
                # Words spoken: the transcript's, none without one (typed notes are not speech).
                word_count=count_words(answer.transcript),
                assembled_at=now,
            )
            RecordingChunk.objects.filter(recording=recording).delete()
            # The dashboard's speaking pace counts joined recordings.
            cache_versions.bump_progress(answer.interview.user_id)
        if not updated:
            _delete_file(name)  # the recording was deleted while it was being joined
    except CannotJoin as error:
        logger.warning("Recording %s could not be put together: %s", recording.pk, error)
        _record_failure(recording, name, now)
    except Exception:
        logger.exception("Recording %s could not be put together.", recording.pk)
        _record_failure(recording, name, now)
    return _reloaded(recording)


def _reloaded(recording: Recording) -> Recording:
    """The recording as stored now; as it was, if it was deleted meanwhile."""
    with contextlib.suppress(Recording.DoesNotExist):
        recording.refresh_from_db()
    return recording


def _claim(recording: Recording, now: datetime) -> bool:
    """Claim the join of this recording for this request: True for one request only. A claim
    older than RECORDINGS_JOIN_CLAIM_SECONDS whose join stored nothing died with its worker
    (killed at the timeout, say): it is recorded as failed, never started again."""
    waiting = Recording.objects.filter(pk=recording.pk, file="", assembled_at__isnull=True)
    if waiting.filter(join_started_at__isnull=True).update(join_started_at=now):
        return True
    window = timedelta(seconds=settings.RECORDINGS_JOIN_CLAIM_SECONDS)
    if waiting.filter(join_started_at__lt=now - window).update(assembled_at=now):
        logger.warning("Recording %s: a join started and never finished; failed.", recording.pk)
    return False


def _join(recording: Recording, answer: Answer):
    """The answer's playable pieces joined, reading no more than the bounds allow."""
    chunks = recording.chunks.filter(segment__lt=settings.RECORDINGS_MAX_SEGMENTS).order_by(
        "segment", "sequence"
    )[: settings.RECORDINGS_MAX_CHUNKS]
    by_segment: dict[int, dict[int, RecordingChunk]] = {}
    for chunk in chunks:
        by_segment.setdefault(chunk.segment, {})[chunk.sequence] = chunk
    segments = []
    for pieces in (by_segment[number] for number in sorted(by_segment)):
        playable = recording_rules.playable_sequences(pieces)
        if playable:
            segments.append(b"".join(_read(pieces[sequence].file) for sequence in playable))
    max_seconds = recording_rules.limits_for(answer).max_ms / 1000
    return join_segments(
        segments,
        max_seconds,
        max_packets=round(max_seconds * settings.RECORDINGS_JOIN_PACKETS_PER_SECOND),
    )


def _record_failure(recording: Recording, name: str, now: datetime) -> None:
    if name:
        _delete_file(name)
    # The join has ended without a file (Recording.join_failed).
    Recording.objects.filter(pk=recording.pk, file="").update(assembled_at=now)


def drop_unanswered(interview: InterviewSession) -> int:
    """Delete the recordings of an abandoned interview's questions and follow-ups never
    answered: nobody can see, join or finish them any more, so they must not fill the
    user's quota."""
    return delete(
        Recording.objects.filter(
            on_either_parent(
                lambda parent: Q(
                    **{
                        f"{parent}__interview": interview,
                        f"{parent}__interview__status": InterviewStatus.ABANDONED,
                        f"{parent}__submitted_at__isnull": True,
                    }
                )
            )
        )
    )


def delete(recordings_to_delete) -> int:
    """Delete recordings (a queryset) with their files, and tell each owner's dashboard."""
    owners = recordings_to_delete.values_list(
        "item__interview__user_id", "follow_up__interview__user_id"
    )
    user_ids = {user_id for pair in owners for user_id in pair if user_id is not None}
    _, deleted = recordings_to_delete.delete()
    for user_id in user_ids:
        cache_versions.bump_progress(user_id)
    return deleted.get(Recording._meta.label, 0)


def assemble_if_needed(answer: Answer, now: datetime) -> Recording | None:
    """The final answer's recording, joined into one file if it is not yet."""
    try:
        recording = answer.recording
    except Recording.DoesNotExist:
        return None
    if answer.is_finalised and needs_assembly(recording):
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


def zip_entry_name(recording: Recording) -> str:
    """interview-7/question-02-slug.webm, and question-02-slug-follow-up.webm for the
    follow-up asked after it."""
    item = recording.question_item
    # A question whose deck was deleted has no slug any more; its position still names it.
    slug = f"-{item.question.slug}" if item.question else ""
    kind = "-follow-up" if recording.follow_up_id is not None else ""
    return (
        f"interview-{item.interview_id}/question-{item.position:02d}{slug}{kind}"
        f".{recording.container}"
    )


# Files without a row


def orphan_files(written_before: datetime) -> Iterator[str]:
    """Files in the recordings storage that no recording, chunk or zip row names, written before
    `written_before` (a chunk's file is written a moment before its row)."""
    named = set(Recording.objects.exclude(file="").values_list("file", flat=True))
    named.update(RecordingChunk.objects.values_list("file", flat=True))
    named.update(RecordingsExport.objects.exclude(file="").values_list("file", flat=True))
    for name in _all_files(""):
        if name not in named and storage().get_modified_time(name) < written_before:
            yield name


def _all_files(folder: str) -> Iterator[str]:
    folders, files = storage().listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from _all_files(f"{folder}/{name}" if folder else name)
