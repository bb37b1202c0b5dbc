"""Joining a spoken answer when its pieces are crafted or broken: the work is bounded, a
failed join is recorded once and never started again by any page, every page still renders,
no file of a failed join is left behind, and files no row names can be found."""

import io
import logging
import os
import zipfile
from datetime import timedelta

import av
import pytest
from django.core.management import call_command
from django.db import DataError
from django.urls import reverse

from sessions import engine
from sessions.models import Recording, RecordingChunk
from sessions.recordings import rules as recording_rules
from sessions.recordings import store as recording_store
from tests.audio import crafted_webm, mp4_with_endless_stts, tone, unknown_codec_webm
from tests.factories import T0, item, start
from tests.recording_uploads import send_chunk, send_stream, stored_files

FAILED = "could not be put together into one file"
BEING_JOINED = "Preparing your recording"
# Files are deleted once the transaction deleting their rows commits: these tests commit.
FILES_DELETED_ON_COMMIT = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clock(time_machine, settings, recordings_dir):
    settings.INTERVIEW_GRACE_SECONDS = 5
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def interview(db, alice):
    interview = start(alice, (1, 2), now=T0, timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), T0)
    return interview


@pytest.fixture
def joins(monkeypatch) -> list[int]:
    """Every join started, by the number of segments it was given."""
    started: list[int] = []
    join = recording_store.join_segments

    def counted(segments, *args, **kwargs):
        started.append(len(segments))
        return join(segments, *args, **kwargs)

    monkeypatch.setattr(recording_store, "join_segments", counted)
    return started


def submit(client, interview, position=1):
    return client.post(
        reverse("interviews:submit", args=[interview.pk, position]),
        {"answer": "Attention weighs the values by query-key similarity."},
        follow=True,
    )


def answered_without_a_join(client, interview, stream: bytes) -> Recording:
    """Question 1's pieces sent and the answer made final, as the clock does, with no join."""
    send_stream(client, interview.pk, 1, stream)
    engine.submit(item(interview, 1), "My answer.", T0)
    return Recording.objects.get(item__interview=interview, item__position=1)


def packets_in(data: bytes) -> int:
    with av.open(io.BytesIO(data), "r") as joined:
        return sum(1 for packet in joined.demux() if packet.size)


# The work is bounded


def test_packets_at_one_timestamp_are_joined_with_bounded_work(
    alice_client, interview, recordings_dir
):
    # 1,450,000 such packets made a 34 s join; 20,000 show the same: one packet is copied.
    send_stream(alice_client, interview.pk, 1, crafted_webm([0] * 20_000), pieces=4)
    page = submit(alice_client, interview)

    recording = Recording.objects.get(item__interview=interview)
    assert page.status_code == 200
    assert packets_in((recordings_dir / recording.file).read_bytes()) == 1
    assert recording.duration_ms == 20


def test_a_join_reads_no_more_segments_than_an_answer_may_hold(
    alice_client, interview, settings, joins
):
    take = tone(1.0, "webm")
    for segment in range(3):
        send_stream(alice_client, interview.pk, 1, take, segment=segment, pieces=2)
    settings.RECORDINGS_MAX_SEGMENTS = 2
    submit(alice_client, interview)

    assert joins == [2]
    assert Recording.objects.get().duration_ms == pytest.approx(2000, abs=100)


def test_chunks_past_the_limit_of_one_answer_are_refused(alice_client, interview, settings):
    settings.RECORDINGS_MAX_CHUNKS = 2
    take = tone(1.0, "webm")
    for sequence, piece in enumerate((take[:3000], take[3000:6000])):
        assert (
            send_chunk(alice_client, interview.pk, 1, piece, sequence=sequence).status_code == 200
        )
    refused = send_chunk(alice_client, interview.pk, 1, take[6000:], sequence=2)
    assert refused.status_code == 413
    assert refused.json()["error"] == (
        "This answer's recording has too many pieces; the rest was not kept."
    )
    assert Recording.objects.get().chunk_count == 2


def test_a_chunk_read_before_a_submit_landed_is_refused_as_submitted(alice_client, interview):
    take = tone(1.0, "webm")
    send_chunk(alice_client, interview.pk, 1, take[:3000])
    read_before = item(interview, 1)  # the upload read the answer, then the submit landed
    engine.submit(item(interview, 1), "My answer.", T0)
    chunk = recording_rules.ChunkInfo(
        segment=0, sequence=1, size=3000, elapsed_ms=2000, head=take[3000:6000]
    )

    with pytest.raises(recording_rules.ChunkRefused) as refused:
        recording_store.add_chunk(read_before, chunk, take[3000:6000], T0)

    assert (refused.value.status, refused.value.message) == (
        409,
        "This answer is already submitted; the recording has stopped.",
    )
    assert Recording.objects.get().chunk_count == 1


def test_the_joined_length_never_passes_the_time_allowed(alice_client, interview):
    # Five packets claiming 10^9 ms each once showed "16666:40 of 60 s (166667%)".
    crafted = crafted_webm([0, 20, 40, 60, 80], [10**9] * 5)
    send_stream(alice_client, interview.pk, 1, crafted, pieces=1)
    page = submit(alice_client, interview)

    assert Recording.objects.get().duration_ms == 65_000  # 60 s allowed and 5 s of grace
    assert "1:05 of 60 s allowed (108%)" in page.text


# A join that fails


@pytest.mark.parametrize(
    "stream", [unknown_codec_webm(), mp4_with_endless_stts()], ids=["A_OPUX", "mp4-stts"]
)
def test_a_recording_that_cannot_be_joined_fails_once_and_every_page_renders(
    alice_client, interview, joins, caplog, stream
):
    with caplog.at_level(logging.WARNING, logger="sessions.recordings.store"):
        send_stream(alice_client, interview.pk, 1, stream, pieces=1)
        submitted = submit(alice_client, interview)
        recording = Recording.objects.get()
        pages = [
            alice_client.get(reverse("interviews:review", args=[interview.pk, 1])),
            alice_client.get(reverse("interviews:play", args=[interview.pk])),
            alice_client.get(reverse("interviews:summary", args=[interview.pk])),
            alice_client.get(
                reverse("progress:question_history", args=[recording.item.question.slug])
            ),
        ]
        alice_client.post(reverse("export_recordings"))  # built at once by the tests' tasks
        archive = alice_client.get(reverse("export_recordings_zip"))

    assert submitted.status_code == 200
    assert FAILED in submitted.text
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert FAILED in pages[0].text
    # Started once, at the submit; no page starts it again, and it was logged once.
    assert joins == [1]
    assert recording.join_failed
    assert recording.assembled_at == T0
    assert RecordingChunk.objects.filter(recording=recording).count() == 1
    failures = [record for record in caplog.records if "could not be put together" in record.msg]
    assert len(failures) == 1
    assert zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist() == []
    assert archive.status_code == 200


@FILES_DELETED_ON_COMMIT
def test_pieces_that_could_not_be_joined_are_listed_to_delete_and_free_the_quota(
    alice, alice_client, interview, recordings_dir
):
    send_stream(alice_client, interview.pk, 1, unknown_codec_webm(), pieces=2)
    submit(alice_client, interview)
    recording = Recording.objects.get()
    assert recording_store.user_bytes(alice.pk) == recording.size_bytes > 0

    history = alice_client.get(
        reverse("progress:question_history", args=[recording.item.question.slug])
    )
    delete_url = reverse("interviews:delete_recording", args=[recording.pk])
    assert "the pieces could not be put together" in history.text
    assert f'href="{delete_url}"' in history.text
    alice_client.post(delete_url)

    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []
    assert recording_store.user_bytes(alice.pk) == 0


def test_a_join_claimed_by_another_request_is_not_started_again(alice_client, interview, joins):
    recording = answered_without_a_join(alice_client, interview, tone(1.0, "webm"))
    Recording.objects.filter(pk=recording.pk).update(join_started_at=T0)

    page = alice_client.get(reverse("interviews:review", args=[interview.pk, 1]))

    assert page.status_code == 200
    assert BEING_JOINED in page.text
    assert joins == []


def test_a_join_that_never_finished_is_recorded_as_failed_not_started_again(
    alice_client, interview, joins, settings
):
    settings.RECORDINGS_JOIN_CLAIM_SECONDS = 300
    recording = answered_without_a_join(alice_client, interview, tone(1.0, "webm"))
    # Its worker was killed mid-join five minutes ago.
    Recording.objects.filter(pk=recording.pk).update(join_started_at=T0 - timedelta(seconds=301))

    page = alice_client.get(reverse("interviews:review", args=[interview.pk, 1]))

    assert FAILED in page.text
    assert joins == []
    assert Recording.objects.get().join_failed


def test_a_page_has_an_answer_the_clock_made_final_joined(alice_client, interview, joins):
    answered_without_a_join(alice_client, interview, tone(1.0, "webm"))
    page = alice_client.get(reverse("interviews:review", args=[interview.pk, 1]))
    assert joins == [1]
    assert Recording.objects.get().file
    assert "Your recorded answer" in page.text


def test_a_failure_after_the_file_was_written_leaves_no_file(
    alice_client, interview, recordings_dir, monkeypatch
):
    def out_of_range(text):
        raise DataError("integer out of range")

    monkeypatch.setattr(recording_store, "count_words", out_of_range)
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"))
    page = submit(alice_client, interview)

    recording = Recording.objects.get()
    assert page.status_code == 200
    assert recording.join_failed
    # Only the chunks are left: the joined file written before the UPDATE is gone.
    assert all("/chunks/" in name for name in stored_files(recordings_dir))
    assert len(stored_files(recordings_dir)) == recording.chunk_count == 3


def test_a_recording_deleted_while_it_is_joined_leaves_no_file(
    alice_client, interview, recordings_dir, monkeypatch
):
    recording = answered_without_a_join(alice_client, interview, tone(1.0, "webm"))
    join = recording_store.join_segments

    def deleted_meanwhile(*args, **kwargs):
        joined = join(*args, **kwargs)
        Recording.objects.filter(pk=recording.pk).delete()  # from its history, in another tab
        return joined

    monkeypatch.setattr(recording_store, "join_segments", deleted_meanwhile)
    recording_store.assemble(recording, T0)

    assert not [name for name in stored_files(recordings_dir) if "/answer-" in name]


# Abandoning an interview


@FILES_DELETED_ON_COMMIT
def test_abandoning_drops_the_pieces_of_unanswered_questions(
    alice, alice_client, interview, recordings_dir
):
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"))
    assert recording_store.user_bytes(alice.pk) > 0

    alice_client.post(reverse("interviews:abandon", args=[interview.pk]))

    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []
    assert recording_store.user_bytes(alice.pk) == 0


def test_pieces_nobody_can_see_do_not_count_against_the_quota(alice, alice_client, interview):
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"))
    held = Recording.objects.get().size_bytes
    assert recording_store.user_bytes(alice.pk) == held
    # Abandoned before its pieces were dropped on abandon: no page shows them.
    engine.abandon(interview, T0)
    assert recording_store.user_bytes(alice.pk) == 0


def test_no_chunk_lands_after_its_interview_was_abandoned(alice_client, interview):
    take = tone(1.0, "webm")
    send_chunk(alice_client, interview.pk, 1, take[:3000])
    engine.abandon(interview, T0)
    refused = send_chunk(alice_client, interview.pk, 1, take[3000:6000], sequence=1)
    assert refused.status_code == 409
    assert Recording.objects.get().chunk_count == 1


# Files no row names


def test_find_orphan_recordings_lists_and_deletes_files_without_a_row(
    alice_client, interview, recordings_dir
):
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"))
    submit(alice_client, interview)
    joined = Recording.objects.get().file
    old, fresh = recordings_dir / "1/9/answer-0badf11e.webm", recordings_dir / "1/9/x.part"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"left by a crash")
    fresh.write_bytes(b"its row is on its way")
    an_hour_ago = (T0 - timedelta(minutes=61)).timestamp()
    os.utime(old, (an_hour_ago, an_hour_ago))

    listed = io.StringIO()
    call_command("find_orphan_recordings", stdout=listed)
    assert listed.getvalue().splitlines() == [
        "1/9/answer-0badf11e.webm",
        "Found 1 file(s) that no recording names.",
    ]
    assert old.exists()

    deleted = io.StringIO()
    call_command("find_orphan_recordings", "--delete", stdout=deleted)
    assert deleted.getvalue().splitlines()[-1] == "Deleted 1 file(s) that no recording names."
    assert not old.exists()
    assert fresh.exists()
    assert (recordings_dir / joined).exists()


def test_find_orphan_recordings_keeps_a_finished_zip(alice_client, interview, recordings_dir):
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"))
    submit(alice_client, interview)
    alice_client.post(reverse("export_recordings"))  # built at once by the tests' tasks
    zips = [name for name in stored_files(recordings_dir) if name.endswith(".zip")]
    assert len(zips) == 1

    an_hour_ago = (T0 - timedelta(minutes=61)).timestamp()
    os.utime(recordings_dir / zips[0], (an_hour_ago, an_hour_ago))

    listed = io.StringIO()
    call_command("find_orphan_recordings", stdout=listed)

    assert zips[0] not in listed.getvalue()
