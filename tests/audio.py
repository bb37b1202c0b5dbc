"""Real audio for the recording tests, made with PyAV as a browser's MediaRecorder would send
it: a tone in WebM/Opus, Ogg/Opus or fragmented MP4/AAC, cut into chunks."""

import io
import math

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
