"""Real audio for the recording tests, made with PyAV as a browser's MediaRecorder would send
it: a tone in WebM/Opus, Ogg/Opus or fragmented MP4/AAC, cut into chunks."""

import io
import math
import re
from fractions import Fraction

import av

RATE = 48_000


def tone(seconds: float, container: str = "webm") -> bytes:
    """`seconds` of a 440 Hz tone; container "webm", "ogg" or "mp4"."""
    codec, options, rate = "libopus", {}, RATE
    if container == "mp4":
        # Safari records fragmented MP4: the header (with the codec) comes first.
        codec, options, rate = "aac", {"movflags": "frag_keyframe+empty_moov"}, 44_100
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container, options=options) as output:
        stream = output.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame_size = stream.codec_context.frame_size or 1024
        total = int(seconds * rate)
        for start in range(0, total, frame_size):
            frame = av.AudioFrame(format="s16", layout="mono", samples=frame_size)
            frame.planes[0].update(
                b"".join(
                    int(8000 * math.sin(2 * math.pi * 440 * (start + i) / rate)).to_bytes(
                        2, "little", signed=True
                    )
                    for i in range(frame_size)
                )
            )
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def cut(data: bytes, pieces: int) -> list[bytes]:
    """The stream in `pieces` chunks, cut anywhere as MediaRecorder's timeslice does."""
    size = math.ceil(len(data) / pieces)
    return [data[start : start + size] for start in range(0, len(data), size)]


def duration_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data), "r") as source:
        return source.duration / 1_000_000


def container_of(data: bytes) -> str:
    with av.open(io.BytesIO(data), "r") as source:
        return source.format.name


# Crafted media: what an attacker could send in place of a browser's recording.


def crafted_webm(
    timestamps_ms: list[int], durations_ms: list[int] | None = None, payload=b"\xfc\xff\xfe"
) -> bytes:
    """A WebM/Opus stream whose packets are `payload` each, at the timestamps (and with the
    durations) given, whatever they are: a browser's header, anyone's packets."""
    with av.open(io.BytesIO(tone(0.1)), "r") as source:
        buffer = io.BytesIO()
        with av.open(buffer, "w", format="webm") as output:
            stream = output.add_stream_from_template(source.streams.audio[0])
            for index, timestamp in enumerate(timestamps_ms):
                packet = av.Packet(payload)
                packet.stream = stream
                packet.time_base = Fraction(1, 1000)
                packet.pts = packet.dts = timestamp
                packet.duration = durations_ms[index] if durations_ms else 20
                output.mux(packet)
    return buffer.getvalue()


def unknown_codec_webm(seconds: float = 1.0) -> bytes:
    """WebM whose track's codec is A_OPUX, which FFmpeg does not know, with "A_OPUS" in the
    muxing application's name where a look at the first bytes finds it."""
    data = tone(seconds, "webm")
    muxing_app = re.search(rb"Lavf[0-9.]+", data).group()
    disguise = b"A_OPUS".ljust(len(muxing_app), b".")
    return data.replace(b"A_OPUS", b"A_OPUX", 1).replace(muxing_app, disguise, 1)


def mp4_with_endless_stts(seconds: float = 0.5) -> bytes:
    """An MP4/AAC file (not fragmented) whose time-to-sample table claims 2^32 - 1 entries."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("aac", rate=44_100)
        stream.layout = "mono"
        for start in range(0, int(seconds * 44_100), 1024):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            frame.planes[0].update(bytes(4096))
            frame.sample_rate = 44_100
            frame.pts = start
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    data = bytearray(buffer.getvalue())
    at = data.index(b"stts") + 8  # after the box type, its version and flags
    data[at : at + 4] = b"\xff\xff\xff\xff"
    return bytes(data)
