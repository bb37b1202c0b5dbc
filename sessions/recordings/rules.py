"""The rules of a spoken answer: which bytes are audio we accept, the limits of one answer and
of one user, where a chunk may go, and which bytes a Range request asks for. Plain Python;
every rule that depends on the clock takes `now`."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from sessions import engine
from sessions.models import (
    MAX_CHUNK_BYTES,
    RECORDING_TIMESLICE_MS,
    Container,
    FollowUpAnswer,
    InterviewStatus,
    SessionQuestion,
)

MB = 1024 * 1024


class ChunkRefused(Exception):
    """A chunk the server will not keep, with the message the page shows and an HTTP status.
    `final` tells the page not to retry it."""

    def __init__(self, message: str, status: int, *, final: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.final = final


# What the bytes are


def sniff_container(head: bytes) -> Container | None:
    """The container of a stream from its first bytes, and only if its codec is one we take:
    WebM with Opus, Ogg with Opus, MP4 with AAC. The type the browser claims is not used."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: a WebM document declares its type and, in its track entry, its codec.
        if b"webm" in head[:64] and b"A_OPUS" in head[:4096]:
            return Container.WEBM
        return None
    if head.startswith(b"OggS"):
        return Container.OGG if b"OpusHead" in head[:512] else None
    if head[4:8] == b"ftyp":
        return Container.MP4 if b"mp4a" in head[:8192] else None
    return None


# Limits


@dataclass(frozen=True)
class RecordingLimits:
    max_bytes: int
    max_ms: int
    quota_bytes: int


def limits_for(item: SessionQuestion | FollowUpAnswer) -> RecordingLimits:
    """One answer, to a question or to its follow-up, may be as long as the time allowed
    plus the grace period (untimed: the RECORDINGS_UNTIMED_MAX_SECONDS setting) and
    RECORDINGS_MAX_MB; one user's recordings together RECORDINGS_USER_QUOTA_MB."""
    if item.time_allowed is None:
        max_seconds = settings.RECORDINGS_UNTIMED_MAX_SECONDS
    else:
        max_seconds = item.time_allowed + engine.grace_seconds()
    return RecordingLimits(
        max_bytes=settings.RECORDINGS_MAX_MB * MB,
        max_ms=max_seconds * 1000,
        quota_bytes=settings.RECORDINGS_USER_QUOTA_MB * MB,
    )


def flush_ms() -> int:
    """How long the page waits, when the answer is sent, for recorded pieces still on their
    way: a few seconds, and within the grace period so that the answer still counts."""
    return max(1000, min(4000, (engine.grace_seconds() - 1) * 1000))


def _minutes(ms: int) -> str:
    seconds = ms // 1000
    if seconds % 60:
        return f"{seconds} seconds"
    return f"{seconds // 60} minute{'s' if seconds != 60 else ''}"


@dataclass(frozen=True)
class ChunkInfo:
    segment: int
    sequence: int
    size: int
    # What the page had recorded of this answer when it sent the chunk, all segments.
    elapsed_ms: int
    head: bytes


def check_chunk(
    item: SessionQuestion | FollowUpAnswer,
    chunk: ChunkInfo,
    now: datetime,
    *,
    answer_bytes: int,
    user_bytes: int,
    container: str,
    answer_chunks: int = 0,
) -> Container | None:
    """Refuse a chunk that breaks a rule, with the reason; return the container of a segment's
    first chunk. `answer_bytes` and `user_bytes` are what is already held for this answer and
    for the user, `answer_chunks` the chunks held for this answer; `container` is the
    answer's container so far ("" before its first chunk). One answer holds at most
    RECORDINGS_MAX_SEGMENTS segments and RECORDINGS_MAX_CHUNKS chunks, which bounds the
    work of joining them.

    The server's deadline applies as to the typed answer: once the answer is final, or after
    the deadline and its grace period (engine.is_expired), nothing more is kept."""
    if item.interview.status != InterviewStatus.IN_PROGRESS:
        raise ChunkRefused("This interview is over; it takes no more answers.", 409)
    if item.is_finalised:
        raise ChunkRefused("This answer is already submitted; the recording has stopped.", 409)
    if item.shown_at is None:
        raise ChunkRefused("This question has not been shown yet.", 409)
    if engine.is_expired(item, now):
        raise ChunkRefused(
            "Time is up for this question: what arrived before the deadline is kept.", 409
        )
    if chunk.size <= 0:
        raise ChunkRefused("This piece of the recording is empty.", 400)
    if chunk.size > MAX_CHUNK_BYTES:
        raise ChunkRefused("This piece of the recording is too large.", 413)
    limits = limits_for(item)
    # The page's own count, allowed one piece of slack: the joined file is trimmed to the
    # exact limit in any case.
    if chunk.elapsed_ms > limits.max_ms + RECORDING_TIMESLICE_MS:
        raise ChunkRefused(
            f"A recorded answer stops at {_minutes(limits.max_ms)}; the rest was not kept.", 413
        )
    if chunk.segment >= settings.RECORDINGS_MAX_SEGMENTS:
        raise ChunkRefused(
            "This answer's recording was restarted too many times; the rest was not kept.", 413
        )
    if answer_chunks >= settings.RECORDINGS_MAX_CHUNKS:
        raise ChunkRefused(
            "This answer's recording has too many pieces; the rest was not kept.", 413
        )
    if answer_bytes + chunk.size > limits.max_bytes:
        raise ChunkRefused(
            f"A recorded answer can hold {limits.max_bytes // MB} MB; the rest was not kept.", 413
        )
    if user_bytes + chunk.size > limits.quota_bytes:
        raise ChunkRefused(
            f"Your recordings fill your {limits.quota_bytes // MB} MB of space. Delete old "
            "recordings from a question's history to record again.",
            413,
        )
    if chunk.sequence != 0:
        # A later piece of a stream carries no header to recognise; its segment's first
        # piece was checked.
        return None
    found = sniff_container(chunk.head)
    if found is None:
        raise ChunkRefused(
            "This recording is not in a format we keep (WebM or Ogg with Opus, MP4 with AAC).",
            415,
        )
    if container and found != container:
        raise ChunkRefused("The recording changed format midway; record the answer again.", 415)
    return found


# Joining the chunks


def playable_sequences(sequences: Iterable[int]) -> list[int]:
    """The pieces of one segment that make a playable stream: from the first (0) on, without
    a gap. A piece after a gap cannot be decoded without the ones it follows."""
    present = set(sequences)
    playable = []
    while len(playable) in present:
        playable.append(len(playable))
    return playable


# Range requests


class RangeNotSatisfiable(Exception):
    """The Range header asks for no byte of the file, or cannot be read: answered with 416."""


# Longer than any file's size: a position with more digits is refused before int() reads it.
MAX_POSITION_DIGITS = 18


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) that one `bytes=` range asks for: `a-b`, `a-` or
    the suffix `-n`. None without a Range header, and for one to ignore (RFC 9110, 14.2):
    another unit than bytes, or several ranges, which no audio player asks for: the whole
    file answers them. Positions are ASCII digits, at most MAX_POSITION_DIGITS of them."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first or last) or not (_is_position(first) and _is_position(last)):
        raise RangeNotSatisfiable
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable
    return start, end


def _is_position(text: str) -> bool:
    """Empty, or a number in ASCII digits (str.isdigit also takes "²" and other scripts')."""
    return not text or (len(text) <= MAX_POSITION_DIGITS and text.isascii() and text.isdigit())
