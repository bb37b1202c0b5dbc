"""Joining the segments of a spoken answer into one audio file with PyAV, without re-encoding.

Each time the page starts recording (again after a reload) the browser starts a new
container stream; streams laid end to end are not one valid file, so their packets are
copied into one new container with timestamps that follow on from segment to segment.

The bytes are the user's and may be crafted, so the work is bounded: at most `max_packets`
packets are copied, a segment ends where its timestamps stop advancing, nothing is kept past
`max_seconds`, and no packet may claim to last beyond it. Whatever PyAV or the demuxer
raises about a segment leaves that segment out (or ends it early); a failure writing the
output fails the join (CannotJoin)."""

import io
import logging
from dataclasses import dataclass
from fractions import Fraction

import av

from sessions.models import Container

logger = logging.getLogger(__name__)

# Opus or AAC in, the same codec out: Opus goes into WebM (from WebM or Ogg), AAC into MP4.
_OUTPUT = {"opus": (Container.WEBM, "webm"), "aac": (Container.MP4, "mp4")}
# When a packet does not say how long it lasts: one Opus frame.
_DEFAULT_PACKET_SECONDS = Fraction(20, 1000)


class CannotJoin(Exception):
    """The segments could not be put together into one file."""


class NothingPlayable(CannotJoin):
    """No segment held audio we could read."""


@dataclass(frozen=True)
class JoinedRecording:
    data: bytes
    container: Container
    duration_ms: int
    # Packets copied into the file: the measure of the work done.
    packets: int


@dataclass
class _Progress:
    """Where the output has got to: its end in seconds, and the packets copied so far."""

    end: Fraction = Fraction(0)
    packets: int = 0


def join_segments(
    segments: list[bytes], max_seconds: float, *, max_packets: int
) -> JoinedRecording:
    """One file of the segments' audio in order, at most `max_seconds` long and of at most
    `max_packets` packets. A segment that cannot be read, or whose codec differs from the
    first one's, is left out."""
    output_buffer = io.BytesIO()
    progress = _Progress()
    limit = Fraction(max_seconds)
    output = output_stream = codec = container = None
    try:
        for number, data in enumerate(segments):
            if progress.end >= limit or progress.packets >= max_packets:
                break
            source = _open(data, number)
            if source is None:
                continue
            with source:
                audio = _audio_stream(source)
                if audio is None:
                    logger.warning("Recording segment %s holds no audio we join; left out.", number)
                    continue
                if output is None:
                    codec = audio.codec_context.name
                    container, format_name = _OUTPUT[codec]
                    output = av.open(output_buffer, "w", format=format_name)
                    output_stream = output.add_stream_from_template(audio)
                elif audio.codec_context.name != codec:
                    logger.warning("Recording segment %s changes codec; left out.", number)
                    continue
                _copy_packets(source, audio, output, output_stream, progress, limit, max_packets)
        if output is None or progress.packets == 0:
            raise NothingPlayable
        output.close()
    except CannotJoin:
        _close_quietly(output)
        raise
    except Exception as error:  # PyAV raises more than FFmpegError on crafted input
        _close_quietly(output)
        raise CannotJoin(f"{type(error).__name__}: {error}") from error
    return JoinedRecording(
        data=output_buffer.getvalue(),
        container=container,
        duration_ms=_duration_ms(progress.end, limit),
        packets=progress.packets,
    )


def _open(data: bytes, number: int):
    try:
        return av.open(io.BytesIO(data), "r")
    except Exception:  # a parse failure of any kind: the segment is not audio we can read
        logger.warning("Recording segment %s cannot be read; left out.", number)
        return None


def _audio_stream(source):
    """The segment's first audio stream in a codec we join, or None (a stream whose codec
    FFmpeg does not know has no codec context)."""
    for stream in source.streams:
        if stream.type == "audio" and stream.codec_context is not None:
            return stream if stream.codec_context.name in _OUTPUT else None
    return None


def _copy_packets(
    source, audio, output, output_stream, progress: _Progress, limit: Fraction, max_packets: int
) -> None:
    """Copy one segment's packets after `progress.end` seconds, and move it on."""
    time_base = audio.time_base
    offset = progress.end
    first = previous = None
    packets = source.demux(audio)
    while progress.packets < max_packets:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except Exception:
            # A segment cut short (the page was closed mid-chunk): keep what was read.
            logger.warning("Recording segment ends early; kept up to %.1f s.", progress.end)
            return
        timestamp = packet.pts if packet.pts is not None else packet.dts
        if timestamp is None:
            continue  # the demuxer's empty packet at the end
        if previous is not None and timestamp <= previous:
            # Audio moves forward: a stream whose time stands still or goes back ends here.
            logger.warning("Recording segment's timestamps stop advancing; it ends there.")
            return
        if first is None:
            first = timestamp
        previous = timestamp
        start = offset + (timestamp - first) * time_base
        if start >= limit:
            return
        length = packet.duration * time_base if packet.duration else _DEFAULT_PACKET_SECONDS
        if length <= 0 or start + length > limit:
            # No packet may claim to last beyond the limit (or backwards).
            length = limit - start
            packet.duration = max(1, int(length / time_base))
        packet.pts = packet.dts = round(start / time_base)
        packet.stream = output_stream
        output.mux(packet)
        progress.packets += 1
        progress.end = max(progress.end, start + length)


def _duration_ms(end: Fraction, limit: Fraction) -> int:
    """The joined length in milliseconds, from the packets copied: never past the limit, so
    that a packet claiming to last for days cannot make the answer longer than allowed."""
    return round(min(max(end, Fraction(0)), limit) * 1000)


def _close_quietly(output) -> None:
    if output is None:
        return
    try:
        output.close()
    except Exception:  # the join has already failed; its half-written output is dropped
        logger.debug("Closing a failed join's output also failed.", exc_info=True)
