"""Joining the segments of a spoken answer into one audio file with PyAV, without re-encoding.

Each time the page starts recording (again after a reload) the browser starts a new
container stream; streams laid end to end are not one valid file, so their packets are
copied into one new container with timestamps that follow on from segment to segment."""

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


class NothingPlayable(Exception):
    """No segment held audio we could read."""


@dataclass(frozen=True)
class JoinedRecording:
    data: bytes
    container: Container
    duration_ms: int


def join_segments(segments: list[bytes], max_seconds: float) -> JoinedRecording:
    """One file of the segments' audio in order, at most `max_seconds` long. A segment that
    cannot be read, or whose codec differs from the first one's, is left out."""
    output_buffer = io.BytesIO()
    offset = Fraction(0)
    output_stream = None
    codec = None
    container = None
    output = None
    try:
        for number, data in enumerate(segments):
            try:
                source = av.open(io.BytesIO(data), "r")
            except av.FFmpegError:
                logger.warning("Recording segment %s cannot be read; left out.", number)
                continue
            with source:
                audio = next((s for s in source.streams if s.type == "audio"), None)
                if audio is None or audio.codec_context.name not in _OUTPUT:
                    continue
                if output is None:
                    codec = audio.codec_context.name
                    container, format_name = _OUTPUT[codec]
                    output = av.open(output_buffer, "w", format=format_name)
                    output_stream = output.add_stream_from_template(audio)
                elif audio.codec_context.name != codec:
                    logger.warning("Recording segment %s changes codec; left out.", number)
                    continue
                offset = _copy_packets(source, audio, output, output_stream, offset, max_seconds)
            if offset >= max_seconds:
                break
    except av.FFmpegError:
        logger.exception("Recording segments could not be joined.")
        if output is not None:
            output.close()
        raise NothingPlayable from None
    if output is None or offset == 0:
        raise NothingPlayable
    output.close()
    data = output_buffer.getvalue()
    return JoinedRecording(data=data, container=container, duration_ms=_duration_ms(data))


def _copy_packets(source, audio, output, output_stream, offset: Fraction, max_seconds) -> Fraction:
    """Copy one segment's packets after `offset` seconds; return where the segment ends."""
    time_base = audio.time_base
    first = None
    end = offset
    try:
        for packet in source.demux(audio):
            timestamp = packet.pts if packet.pts is not None else packet.dts
            if timestamp is None:
                continue  # the demuxer's empty packet at the end
            if first is None:
                first = timestamp
            start = offset + (timestamp - first) * time_base
            if start >= max_seconds:
                break
            length = packet.duration * time_base if packet.duration else _DEFAULT_PACKET_SECONDS
            moved = round(start / time_base)
            packet.pts = packet.dts = moved
            packet.stream = output_stream
            output.mux(packet)
            end = max(end, start + length)
    except av.FFmpegError:
        # A segment cut short (the page was closed mid-chunk): keep what was read.
        logger.warning("Recording segment ends early; kept up to %.1f s.", float(end))
    return end


def _duration_ms(data: bytes) -> int:
    with av.open(io.BytesIO(data), "r") as joined:
        if joined.duration:
            return round(joined.duration / 1000)
        audio = joined.streams.audio[0]
        return round(float(audio.duration * audio.time_base) * 1000) if audio.duration else 0
