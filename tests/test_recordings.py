"""The rules of a spoken answer without HTTP: sniffing, limits, the deadline, chunk order,
Range headers, joining segments into one file, and delivery figures."""

from datetime import timedelta

import pytest

from sessions import engine
from sessions.models import (
    MAX_CHUNK_BYTES,
    Container,
    InterviewSession,
    InterviewStatus,
    SessionQuestion,
)
from sessions.recordings import rules as recording_rules
from sessions.recordings.delivery import count_words, delivery
from sessions.recordings.remux import CannotJoin, NothingPlayable, join_segments
from tests.audio import (
    container_of,
    crafted_webm,
    cut,
    duration_seconds,
    mp4_with_endless_stts,
    tone,
    unknown_codec_webm,
)
from tests.factories import T0

MB = 1024 * 1024


@pytest.fixture(scope="module")
def webm() -> bytes:
    return tone(2.0, "webm")


# Sniffing


def test_it_recognises_webm_ogg_and_mp4_from_their_bytes(webm):
    assert recording_rules.sniff_container(webm[:8192]) == Container.WEBM
    assert recording_rules.sniff_container(tone(0.5, "ogg")[:8192]) == Container.OGG
    assert recording_rules.sniff_container(tone(0.5, "mp4")[:8192]) == Container.MP4


def test_it_refuses_what_is_not_audio_we_keep(webm):
    assert recording_rules.sniff_container(b"") is None
    assert recording_rules.sniff_container(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert recording_rules.sniff_container(b"<html><script>") is None
    # A Matroska header without Opus, and Ogg without OpusHead (Vorbis, say).
    assert recording_rules.sniff_container(webm[:8192].replace(b"A_OPUS", b"V_VP8\x00")) is None
    assert recording_rules.sniff_container(b"OggS\x00\x02" + b"\x01vorbis" + bytes(100)) is None


# Limits and the deadline


def shown_item(
    time_allowed: int | None, *, shown_at=T0, finalised=False, status=InterviewStatus.IN_PROGRESS
) -> SessionQuestion:
    deadline = None if time_allowed is None else shown_at + timedelta(seconds=time_allowed)
    return SessionQuestion(
        interview=InterviewSession(status=status),
        time_allowed=time_allowed,
        shown_at=shown_at,
        deadline=deadline,
        submitted_at=shown_at if finalised else None,
    )


def chunk(sequence=0, *, head=b"", size=1000, elapsed_ms=2000, segment=0):
    return recording_rules.ChunkInfo(
        segment=segment, sequence=sequence, size=size, elapsed_ms=elapsed_ms, head=head
    )


def check(item, info, now=T0, *, answer_bytes=0, user_bytes=0, container="", **counts):
    return recording_rules.check_chunk(
        item,
        info,
        now,
        answer_bytes=answer_bytes,
        user_bytes=user_bytes,
        container=container,
        **counts,
    )


def refusal(item, info, **kwargs) -> recording_rules.ChunkRefused:
    with pytest.raises(recording_rules.ChunkRefused) as raised:
        check(item, info, **kwargs)
    return raised.value


def test_a_first_chunk_is_accepted_with_its_container(webm, settings):
    assert check(shown_item(60), chunk(head=webm[:8192])) == Container.WEBM
    # A later chunk of the stream has no header to sniff.
    assert check(shown_item(60), chunk(1, head=b"\x00" * 10)) is None


def test_a_first_chunk_that_is_not_audio_is_refused():
    refused = refusal(shown_item(60), chunk(head=b"MZ\x90\x00 not audio"))
    assert refused.status == 415
    assert "not in a format we keep" in refused.message


def test_a_segment_in_another_format_is_refused(webm):
    refused = refusal(shown_item(60), chunk(head=tone(0.3, "ogg")[:8192]), container="webm")
    assert refused.status == 415
    assert check(shown_item(60), chunk(head=webm[:8192]), container="webm") == Container.WEBM


@pytest.mark.parametrize(
    ("seconds_after_deadline", "accepted"), [(0, True), (5, True), (5.001, False), (60, False)]
)
def test_chunks_follow_the_servers_deadline_and_grace(settings, seconds_after_deadline, accepted):
    settings.INTERVIEW_GRACE_SECONDS = 5
    item = shown_item(60)
    now = item.deadline + timedelta(seconds=seconds_after_deadline)
    assert engine.is_expired(item, now) is not accepted
    if accepted:
        check(item, chunk(1), now)
    else:
        refused = refusal(item, chunk(1), now=now)
        assert refused.status == 409
        assert "Time is up" in refused.message


def test_an_abandoned_interview_takes_no_more_chunks():
    refused = refusal(shown_item(None, status=InterviewStatus.ABANDONED), chunk(1))
    assert (refused.status, refused.message) == (
        409,
        "This interview is over; it takes no more answers.",
    )


def test_a_final_answer_takes_no_more_chunks():
    refused = refusal(shown_item(None, finalised=True), chunk(1))
    assert "already submitted" in refused.message


def test_the_size_of_one_answer_is_limited(settings):
    settings.RECORDINGS_MAX_MB = 20
    check(shown_item(60), chunk(1, size=1000), answer_bytes=20 * MB - 1000)
    refused = refusal(shown_item(60), chunk(1, size=1000), answer_bytes=20 * MB - 999)
    assert (refused.status, refused.message) == (
        413,
        "A recorded answer can hold 20 MB; the rest was not kept.",
    )
    assert refusal(shown_item(60), chunk(1, size=MAX_CHUNK_BYTES + 1)).status == 413


def test_each_user_has_a_quota(settings):
    settings.RECORDINGS_USER_QUOTA_MB = 100
    check(shown_item(60), chunk(1), user_bytes=100 * MB - 1000)
    refused = refusal(shown_item(60), chunk(1), user_bytes=100 * MB - 999)
    assert "100 MB" in refused.message
    assert "Delete old recordings" in refused.message


def test_the_length_is_the_time_allowed_plus_grace_or_fifteen_minutes_untimed(settings):
    settings.INTERVIEW_GRACE_SECONDS = 5
    settings.RECORDINGS_UNTIMED_MAX_SECONDS = 900
    assert recording_rules.limits_for(shown_item(60)).max_ms == 65_000
    assert recording_rules.limits_for(shown_item(None)).max_ms == 900_000
    # The page's count gets one chunk of slack; the joined file is trimmed exactly.
    check(shown_item(None), chunk(1, elapsed_ms=902_000))
    refused = refusal(shown_item(None), chunk(1, elapsed_ms=902_001))
    assert refused.message == "A recorded answer stops at 15 minutes; the rest was not kept."


# Chunk order


@pytest.mark.parametrize(
    ("sequences", "playable"),
    [
        ([], []),
        ([0, 1, 2], [0, 1, 2]),
        ([2, 0, 1], [0, 1, 2]),  # arrived out of order
        ([0, 0, 1, 1], [0, 1]),  # duplicates
        ([0, 1, 3, 4], [0, 1]),  # a gap: what follows cannot be decoded
        ([1, 2], []),  # the header never arrived
    ],
)
def test_the_playable_chunks_start_at_zero_without_a_gap(sequences, playable):
    assert recording_rules.playable_sequences(sequences) == playable


# Range headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-199", (100, 199)),
        ("bytes=900-", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
    ],
)
def test_a_range_names_the_first_and_last_byte(header, expected):
    assert recording_rules.parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=1000-",
        "bytes=5000-6000",
        "bytes=200-100",
        "bytes=-0",
        "bytes=a-b",
        "bytes=-",
        "bytes",
        # Digits of other scripts (a raw byte 0xb2 in a header reads as "²"), and numbers
        # too long to be a position: refused before int() is asked to read them.
        "bytes=\xb2-",
        "bytes=0-\u0663",
        "bytes=" + "9" * 5000 + "-",
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
    ],
)
def test_a_range_outside_the_file_or_unreadable_is_not_satisfiable(header):
    with pytest.raises(recording_rules.RangeNotSatisfiable):
        recording_rules.parse_range(header, 1000)


@pytest.mark.parametrize("header", ["items=0-1", "seconds=1-2", "bytes=0-1,5-6", "bytes=0-,-5"])
def test_another_unit_or_several_ranges_are_ignored(header):
    # RFC 9110, 14.2: the whole file answers them.
    assert recording_rules.parse_range(header, 1000) is None


# Bounds on one answer's pieces


def test_an_answer_restarted_too_often_is_refused(settings):
    settings.RECORDINGS_MAX_SEGMENTS = 3
    check(shown_item(60), chunk(1, segment=2))
    refused = refusal(shown_item(60), chunk(1, segment=3))
    assert (refused.status, refused.message) == (
        413,
        "This answer's recording was restarted too many times; the rest was not kept.",
    )


def test_an_answer_of_too_many_pieces_is_refused(settings):
    settings.RECORDINGS_MAX_CHUNKS = 10
    check(shown_item(60), chunk(9), answer_chunks=9)
    refused = refusal(shown_item(60), chunk(10), answer_chunks=10)
    assert (refused.status, refused.message) == (
        413,
        "This answer's recording has too many pieces; the rest was not kept.",
    )


# Joining segments


def test_segments_from_a_reload_join_into_one_file_as_long_as_both(webm):
    second = tone(1.5, "webm")
    joined = join_segments([webm, second], max_seconds=900, max_packets=10_000)
    assert joined.container == Container.WEBM
    assert container_of(joined.data) == "matroska,webm"
    assert duration_seconds(joined.data) == pytest.approx(3.5, abs=0.1)
    assert joined.duration_ms == pytest.approx(3500, abs=100)


def test_chunks_cut_anywhere_join_back_into_the_stream(webm):
    assert b"".join(cut(webm, 7)) == webm
    joined = join_segments([b"".join(cut(webm, 7))], max_seconds=900, max_packets=10_000)
    assert joined.duration_ms == pytest.approx(2000, abs=100)


def test_ogg_segments_become_webm_and_aac_stays_mp4():
    assert join_segments([tone(1.0, "ogg")], 900, max_packets=10_000).container == Container.WEBM
    assert join_segments([tone(1.0, "mp4")], 900, max_packets=10_000).container == Container.MP4


def test_the_joined_file_is_trimmed_to_the_limit(webm):
    joined = join_segments([webm, webm], max_seconds=3, max_packets=10_000)
    assert joined.duration_ms == pytest.approx(3000, abs=100)


def test_a_segment_cut_short_keeps_what_was_read_and_garbage_is_left_out(webm):
    joined = join_segments(
        [b"garbage", webm[: len(webm) // 2], webm], max_seconds=900, max_packets=10_000
    )
    assert 2500 < joined.duration_ms < 3500
    with pytest.raises(NothingPlayable):
        join_segments([b"garbage"], max_seconds=900, max_packets=10_000)


# Joining crafted media: the work is bounded, and every failure is CannotJoin

PACKETS = 20_000  # scaled down from the 1,450,000 of a 20 MB upload; the property is the same


def test_packets_at_one_timestamp_end_the_segment_after_the_first():
    crafted = crafted_webm([0] * PACKETS)
    joined = join_segments([crafted], max_seconds=65, max_packets=3_900)
    # One packet copied of 20,000: time that stands still ends the stream.
    assert joined.packets == 1
    assert joined.duration_ms == 20


def test_advancing_tiny_packets_stop_at_the_packet_cap():
    # One millisecond apart, so time alone would let 20,000 through within the minute.
    crafted = crafted_webm(list(range(PACKETS)), [1] * PACKETS)
    joined = join_segments([crafted], max_seconds=65, max_packets=3_900)
    assert joined.packets == 3_900
    assert len(container_packets(joined.data)) == 3_900


def test_the_cap_counts_packets_across_segments(webm):
    # Two seconds of Opus are about 100 packets of 20 ms.
    one = join_segments([webm], max_seconds=900, max_packets=10_000).packets
    assert 100 <= one <= 102
    joined = join_segments([webm, webm, webm], max_seconds=900, max_packets=one + 50)
    assert joined.packets == one + 50
    assert joined.duration_ms == pytest.approx(3000, abs=60)


def test_packets_claiming_days_are_clamped_to_the_answers_length():
    crafted = crafted_webm([0, 20, 40, 60, 80], [10**9] * 5)
    joined = join_segments([crafted], max_seconds=65, max_packets=3_900)
    assert joined.duration_ms == 65_000
    # The file says so too: no packet in it lasts past the limit.
    assert duration_seconds(joined.data) == pytest.approx(65, abs=0.05)


def test_a_last_packet_of_two_to_the_31_ms_cannot_overflow_the_duration():
    crafted = crafted_webm([0, 20, 40], [20, 20, 2**31])
    joined = join_segments([crafted], max_seconds=65, max_packets=3_900)
    assert joined.duration_ms == 65_000 < 2**31


def test_a_codec_ffmpeg_does_not_know_is_nothing_playable():
    crafted = unknown_codec_webm()
    # The look at the first bytes lets it through; the join must not fall over.
    assert recording_rules.sniff_container(crafted[:8192]) == Container.WEBM
    with pytest.raises(NothingPlayable):
        join_segments([crafted], max_seconds=65, max_packets=3_900)


def test_an_mp4_with_an_endless_sample_table_is_nothing_playable():
    with pytest.raises(NothingPlayable):
        join_segments([mp4_with_endless_stts()], max_seconds=65, max_packets=3_900)


@pytest.mark.parametrize("seed", range(12))
def test_a_fuzzed_recording_joins_or_fails_as_cannot_join(seed):
    import random

    data = bytearray(tone(1.0, "mp4" if seed % 2 else "webm"))
    flips = random.Random(seed)
    for _ in range(40):
        data[flips.randrange(64, len(data))] = flips.randrange(256)
    try:
        joined = join_segments([bytes(data)], max_seconds=65, max_packets=3_900)
    except CannotJoin:
        return
    assert 0 <= joined.duration_ms <= 65_000


def container_packets(data: bytes) -> list:
    import io

    import av

    with av.open(io.BytesIO(data), "r") as joined:
        return [packet for packet in joined.demux() if packet.size]


# Delivery


def test_delivery_counts_words_pace_and_fillers():
    text = "Um, so basically a transformer is, you know, like attention. Uh, sort of."
    figures = delivery(30_000, text, 60)
    assert figures.words == count_words(text) == 13
    assert figures.words_per_minute == 26
    assert figures.fillers == {
        "um": 1,
        "basically": 1,
        "you know": 1,
        "like": 1,
        "uh": 1,
        "sort of": 1,
    }
    assert figures.filler_count == 6
    assert figures.share_of_time_allowed == 0.5


def test_delivery_without_speech_or_words_has_no_pace():
    assert delivery(500, "Some words here", 60).words_per_minute is None
    assert delivery(10_000, "", None).words_per_minute is None
    assert delivery(10_000, "", None).share_of_time_allowed is None
    assert delivery(10_000, "Likely unlikely umbrella", None).fillers == {}


def test_delivery_without_a_transcript_is_speaking_time_alone():
    figures = delivery(3_000, "", 60)
    assert not figures.transcribed
    assert figures.words_per_minute is None
    assert figures.fillers == {}
    assert figures.share_of_time_allowed == 0.05
