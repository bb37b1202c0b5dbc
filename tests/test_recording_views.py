"""Spoken answers through HTTP: chunks arriving (owner only, acknowledged, in any order, once),
refusals with their message, the joined file on the grade step, playback with Range
requests, identical 404s, deleting, the account's deletion, export, zip and purge."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from progress.models import ProgressVersion
from sessions import engine
from sessions.models import Recording, RecordingChunk, RecordingsExport
from sessions.recordings import pace
from sessions.recordings import store as recording_store
from sessions.tasks import purge_recordings
from tests.audio import container_of, cut, duration_seconds, tone
from tests.factories import T0, item, start
from tests.recording_uploads import chunk_url, send_chunk, send_stream, stored_files

GRACE = 5
# The page's CSRF tokens and script nonce are new in every response.
PER_RESPONSE = re.compile(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value="|nonce=")[^"]+')
# Files are deleted once the transaction deleting their rows commits: these tests commit.
FILES_DELETED_ON_COMMIT = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clock(time_machine, settings, recordings_dir):
    settings.INTERVIEW_GRACE_SECONDS = GRACE
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture(scope="module")
def first_take() -> bytes:
    return tone(2.0, "webm")


@pytest.fixture(scope="module")
def second_take() -> bytes:
    return tone(1.0, "webm")


@pytest.fixture
def interview(db, alice):
    interview = start(alice, (1, 2), now=T0, timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), T0)
    return interview


SPOKEN = "Attention weighs the values by query-key similarity."


def submit(client, interview, text=SPOKEN, transcript=SPOKEN):
    """Submit question 1; `transcript` is what speech recognition heard (None: not on)."""
    data = {"answer": text}
    if transcript is not None:
        data["transcript"] = transcript
    return client.post(reverse("interviews:submit", args=[interview.pk, 1]), data, follow=True)


@pytest.fixture
def recorded(alice_client, interview, first_take, second_take) -> Recording:
    """Question 1 answered out loud in two segments (a reload between them), submitted."""
    send_stream(alice_client, interview.pk, 1, first_take, segment=0)
    send_stream(alice_client, interview.pk, 1, second_take, segment=1, pieces=2)
    submit(alice_client, interview)
    return Recording.objects.get(item__interview=interview, item__position=1)


def audio_url(recording) -> str:
    return reverse("interviews:recording_audio", args=[recording.pk])


# Uploading chunks


def test_it_acknowledges_each_chunk_with_its_place(
    alice_client, interview, first_take, recordings_dir
):
    response = send_chunk(alice_client, interview.pk, 1, first_take[:4000], segment=0, sequence=0)

    assert response.status_code == 200
    assert response.json() == {"segment": 0, "sequence": 0, "duplicate": False}
    recording = Recording.objects.get()
    assert (recording.container, recording.size_bytes, recording.segments) == ("webm", 4000, 1)
    assert stored_files(recordings_dir) == [RecordingChunk.objects.get().file]
    assert re.fullmatch(
        rf"{interview.user_id}/{recording.item_id}/chunks/000-000000-[0-9a-f]{{8}}\.part",
        RecordingChunk.objects.get().file,
    )


def test_a_chunk_sent_twice_is_kept_once(alice_client, interview, first_take, recordings_dir):
    send_chunk(alice_client, interview.pk, 1, first_take[:4000])
    again = send_chunk(alice_client, interview.pk, 1, first_take[:4000])

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert RecordingChunk.objects.count() == 1
    assert Recording.objects.get().size_bytes == 4000
    assert len(stored_files(recordings_dir)) == 1


def test_the_same_chunk_racing_itself_is_kept_once_with_its_file(
    alice_client, interview, first_take, recordings_dir, monkeypatch
):
    send_chunk(alice_client, interview.pk, 1, first_take[:4000])
    kept = RecordingChunk.objects.get().file
    # The second request checked before the first one's row existed, so it meets the
    # unique constraint: it deletes its own file and hands back the bytes it reserved.
    monkeypatch.setattr(recording_store, "already_kept", lambda recording, chunk: False)

    again = send_chunk(alice_client, interview.pk, 1, first_take[:4000])

    assert again.json()["duplicate"] is True
    assert stored_files(recordings_dir) == [kept]
    assert Recording.objects.get().size_bytes == 4000


def test_chunks_out_of_order_make_the_whole_recording(alice_client, interview, first_take):
    pieces = cut(first_take, 4)
    for sequence in (2, 0, 3, 1):
        response = send_chunk(alice_client, interview.pk, 1, pieces[sequence], sequence=sequence)
        assert response.status_code == 200

    submit(alice_client, interview)

    recording = Recording.objects.get()
    assert recording.duration_ms == pytest.approx(2000, abs=100)


def test_bytes_that_are_not_audio_are_refused_with_a_message(
    alice_client, interview, recordings_dir
):
    response = send_chunk(alice_client, interview.pk, 1, b"<?php echo 'not audio'; ?>" * 10)

    assert response.status_code == 415
    assert response.json() == {
        "error": "This recording is not in a format we keep (WebM or Ogg with Opus, MP4 with AAC).",
        "final": True,
    }
    assert stored_files(recordings_dir) == []


def test_a_malformed_upload_is_refused(alice_client, interview, first_take):
    no_audio = alice_client.post(chunk_url(interview.pk, 1), {"segment": 0, "sequence": 0})
    bad_number = alice_client.post(
        chunk_url(interview.pk, 1),
        {"segment": "x", "sequence": 0, "elapsed_ms": 0, "chunk": io.BytesIO(first_take[:100])},
    )
    assert (no_audio.status_code, bad_number.status_code) == (400, 400)
    assert "carried no audio" in no_audio.json()["error"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("segment", "²"), ("sequence", "٣"), ("elapsed_ms", "9" * 5000), ("segment", "1" * 4301)],
)
def test_digits_of_other_scripts_and_endless_numbers_are_refused(
    alice_client, interview, first_take, recordings_dir, field, value
):
    fields = {"segment": 0, "sequence": 0, "elapsed_ms": 2000, field: value}
    response = alice_client.post(
        chunk_url(interview.pk, 1), {**fields, "chunk": io.BytesIO(first_take[:4000])}
    )
    assert response.status_code == 400
    assert response.json()["error"] == f"The upload's {field} is missing or not a number."
    assert stored_files(recordings_dir) == []


def test_after_the_deadline_and_grace_chunks_are_refused_and_earlier_ones_count(
    alice_client, interview, first_take, clock
):
    pieces = cut(first_take, 3)
    send_chunk(alice_client, interview.pk, 1, pieces[0], sequence=0)
    clock.move_to(T0 + timedelta(seconds=60 + GRACE))
    assert send_chunk(alice_client, interview.pk, 1, pieces[1], sequence=1).status_code == 200
    clock.move_to(T0 + timedelta(seconds=60 + GRACE + 1))

    late = send_chunk(alice_client, interview.pk, 1, pieces[2], sequence=2)

    assert late.status_code == 409
    assert late.json()["error"] == (
        "Time is up for this question: what arrived before the deadline is kept."
    )
    assert list(RecordingChunk.objects.values_list("sequence", flat=True)) == [0, 1]


def test_the_size_limit_and_the_quota_are_refused_with_a_message(
    alice_client, interview, first_take, settings
):
    settings.RECORDINGS_MAX_MB = 1
    settings.RECORDINGS_USER_QUOTA_MB = 1
    send_chunk(alice_client, interview.pk, 1, first_take[:8000])
    Recording.objects.update(size_bytes=1024 * 1024 - 100)

    refused = send_chunk(alice_client, interview.pk, 1, b"\x00" * 200, sequence=1)

    assert refused.status_code == 413
    assert refused.json()["error"] == "A recorded answer can hold 1 MB; the rest was not kept."


def test_only_the_owner_can_send_chunks(client, bob_client, interview, first_take, recordings_dir):
    other = send_chunk(bob_client, interview.pk, 1, first_take[:4000])
    anonymous = send_chunk(client, interview.pk, 1, first_take[:4000])
    get = bob_client.get(chunk_url(interview.pk, 1))

    assert other.status_code == 404
    # The page sends chunks with fetch, which would follow a redirect to the log-in page
    # and see its 200: a logged-out sender is told so, to keep the piece and send it again.
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "You have been logged out.", "final": False}
    assert get.status_code == 405
    assert stored_files(recordings_dir) == []


def test_a_submitted_answer_takes_no_more_chunks(alice_client, interview, first_take):
    submit(alice_client, interview)
    refused = send_chunk(alice_client, interview.pk, 1, first_take[:4000])
    assert refused.status_code == 409
    assert "already submitted" in refused.json()["error"]


def test_one_chunk_upload_runs_a_fixed_number_of_queries(
    alice_client, interview, first_take, django_assert_num_queries
):
    send_chunk(alice_client, interview.pk, 1, first_take[:4000])
    # The session's row, then: 1. the user, 2. the question with its interview, 3. the
    # recording, 4. a chunk already at this place, 5. a savepoint, 6. the user's row locked,
    # 7. the user's bytes held, 8. the bytes reserved (a conditional UPDATE), 9. the
    # savepoint released, 10.-12. the chunk's INSERT in a savepoint.
    with django_assert_num_queries(1 + 12):
        response = send_chunk(alice_client, interview.pk, 1, first_take[4000:8000], sequence=1)
    assert response.status_code == 200


# The joined recording on the grade step


@FILES_DELETED_ON_COMMIT
def test_the_grade_step_plays_the_whole_recording_before_the_reference(recorded, recordings_dir):
    assert recorded.duration_ms == pytest.approx(3000, abs=100)
    assert re.fullmatch(
        rf"{recorded.item.interview.user_id}/{recorded.item_id}/answer-[0-9a-f]{{8}}\.webm",
        recorded.file,
    )
    # The chunks are let go once joined; only the joined file is left.
    assert RecordingChunk.objects.count() == 0
    assert stored_files(recordings_dir) == [recorded.file]
    data = (recordings_dir / recorded.file).read_bytes()
    assert container_of(data) == "matroska,webm"
    assert duration_seconds(data) == pytest.approx(3.0, abs=0.1)
    assert recorded.size_bytes == len(data)


def test_the_grade_step_shows_the_player_and_the_delivery(alice_client, recorded):
    page = alice_client.get(reverse("interviews:review", args=[recorded.item.interview_id, 1]))
    text = page.text

    assert 'aria-label="Your recorded answer"' in text
    assert f'src="{audio_url(recorded)}"' in text
    assert 'Your recorded answer <span class="muted small">(0:03)</span>' in text
    assert text.index("Your recorded answer") < text.index("Reference answer")
    assert "Speaking time" in text
    assert "words per minute" in text


def test_the_answer_step_offers_recording_and_says_what_is_kept(
    alice_client, interview, first_take
):
    page = alice_client.get(reverse("interviews:play", args=[interview.pk]))
    assert "Record your answer" in page.text
    assert f'data-upload-url="{chunk_url(interview.pk, 1)}"' in page.text
    assert 'data-max-ms="65000"' in page.text
    assert 'data-next-segment="0"' in page.text

    send_stream(alice_client, interview.pk, 1, first_take)
    reloaded = alice_client.get(reverse("interviews:play", args=[interview.pk]))
    assert 'data-next-segment="1"' in reloaded.text
    assert "Your recording so far is kept; record on to add to it." in reloaded.text


def test_the_summary_marks_answers_with_a_recording(alice_client, recorded):
    page = alice_client.get(reverse("interviews:summary", args=[recorded.item.interview_id]))
    assert page.text.count("Recorded 0:03") == 1


# Playback


def test_the_owner_plays_the_whole_file(alice_client, recorded, recordings_dir):
    data = (recordings_dir / recorded.file).read_bytes()
    response = alice_client.get(audio_url(recorded))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "audio/webm"
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=1000-1999", 1000, 1999), ("bytes=-500", None, None)],
)
def test_range_requests_get_those_bytes(
    alice_client, recorded, recordings_dir, header, first, last
):
    data = (recordings_dir / recorded.file).read_bytes()
    size = len(data)
    if first is None:
        first, last = size - 500, size - 1

    response = alice_client.get(audio_url(recorded), HTTP_RANGE=header)

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Cache-Control"] == "private"


def test_a_range_beyond_the_file_is_not_satisfiable(alice_client, recorded):
    response = alice_client.get(audio_url(recorded), HTTP_RANGE="bytes=99999999-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{recorded.size_bytes}"


@pytest.mark.parametrize("header", ["bytes=\xb2-", "bytes=0-" + "9" * 5000])
def test_a_range_in_other_digits_or_endless_is_not_satisfiable(alice_client, recorded, header):
    response = alice_client.get(audio_url(recorded), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{recorded.size_bytes}"


@pytest.mark.parametrize("header", ["bytes=0-99,200-299", "items=0-99"])
def test_several_ranges_or_another_unit_get_the_whole_file(
    alice_client, recorded, recordings_dir, header
):
    response = alice_client.get(audio_url(recorded), HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (recordings_dir / recorded.file).read_bytes()


def test_head_answers_the_headers_of_the_file_or_its_range(alice_client, recorded):
    whole = alice_client.head(audio_url(recorded))
    part = alice_client.head(audio_url(recorded), HTTP_RANGE="bytes=0-99")

    assert whole.status_code == 200
    assert whole["Content-Length"] == str(recorded.size_bytes)
    assert whole["Content-Type"] == "audio/webm"
    assert whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == b""
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 0-99/{recorded.size_bytes}"
    assert part["Content-Length"] == "100"


def test_another_user_anonymous_and_a_missing_recording_get_the_same_404(
    client, bob_client, recorded
):
    missing = reverse("interviews:recording_audio", args=[recorded.pk + 1000])

    def page(client, url, **headers) -> tuple[int, str]:
        response = client.get(url, **headers)
        return response.status_code, PER_RESPONSE.sub(r"\1", response.text)

    bob_sees = page(bob_client, audio_url(recorded))
    assert bob_sees[0] == 404
    assert page(bob_client, missing) == bob_sees
    assert page(bob_client, audio_url(recorded), HTTP_RANGE="bytes=0-10") == bob_sees
    anonymous_sees = page(client, audio_url(recorded))
    assert anonymous_sees[0] == 404
    assert page(client, missing) == anonymous_sees


def test_a_range_playback_runs_a_fixed_number_of_queries(
    alice_client, recorded, django_assert_num_queries
):
    # The session's row, then: 1. the user, 2. the recording with its answer,
    # interview and question.
    with django_assert_num_queries(1 + 2):
        response = alice_client.get(audio_url(recorded), HTTP_RANGE="bytes=0-1023")
        b"".join(response.streaming_content)
    assert response.status_code == 206


# Deleting


def delete_url(recording) -> str:
    return reverse("interviews:delete_recording", args=[recording.pk])


@FILES_DELETED_ON_COMMIT
def test_a_recording_is_deleted_after_confirming(alice_client, recorded, recordings_dir):
    confirm = alice_client.get(delete_url(recorded))
    assert "Delete this recording?" in confirm.text
    assert Recording.objects.exists()

    response = alice_client.post(delete_url(recorded), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "progress:question_history", args=[recorded.item.question.slug]
    )
    assert "The recording is deleted" in response.text
    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []
    # The written answer stays.
    assert item(recorded.item.interview, 1).answer_text


def test_only_the_owner_can_delete_a_recording(client, bob_client, recorded, recordings_dir):
    assert bob_client.get(delete_url(recorded)).status_code == 404
    assert bob_client.post(delete_url(recorded)).status_code == 404
    assert client.post(delete_url(recorded))["Location"].startswith(reverse("login"))
    assert Recording.objects.exists()
    assert recorded.file in stored_files(recordings_dir)


def test_the_question_history_lists_every_recording_with_a_way_to_delete_it(alice_client, recorded):
    page = alice_client.get(
        reverse("progress:question_history", args=[recorded.item.question.slug])
    )
    assert f'src="{audio_url(recorded)}"' in page.text
    assert delete_url(recorded) in page.text


@FILES_DELETED_ON_COMMIT
def test_deleting_the_account_deletes_the_files(
    alice_client,
    alice,
    password,
    interview,
    first_take,
    recorded,
    recordings_dir,
):
    # An unjoined recording (question 2, still recording) as well as the joined one.
    engine.grade(item(interview, 1), 3, set(), "", T0)
    engine.show(item(interview, 2), T0)
    send_stream(alice_client, interview.pk, 2, first_take)
    assert len(stored_files(recordings_dir)) == 4

    response = alice_client.post(reverse("delete_account"), {"password": password})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []


@FILES_DELETED_ON_COMMIT
def test_purge_recordings_deletes_those_older_than_the_days_given(
    recorded,
    recordings_dir,
    clock,
):
    out = io.StringIO()
    clock.move_to(T0 + timedelta(days=29))
    call_command("purge_recordings", "--older-than", "30", stdout=out)
    assert Recording.objects.exists()

    clock.move_to(T0 + timedelta(days=31))
    call_command("purge_recordings", "--older-than", "30", stdout=out)

    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []
    assert "Deleted 1 recording(s) made more than 30 days ago." in out.getvalue()


# Your data


def test_the_json_export_lists_recordings(alice_client, recorded):
    data = json.loads(alice_client.get(reverse("export_data")).content)
    answer = data["interviews"][0]["questions"][0]
    assert answer["recording"] == {
        "container": "webm",
        "duration_ms": recorded.duration_ms,
        "size_bytes": recorded.size_bytes,
        "created_at": "2026-03-02T09:00:00.000000+00:00",
        "file_in_zip": f"interview-{recorded.item.interview_id}/question-01-{recorded.item.question.slug}.webm",
    }
    assert data["interviews"][0]["questions"][1]["recording"] is None


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_zip_of_my_recordings_is_put_together_then_downloaded(
    alice_client, bob_client, recorded, recordings_dir
):
    page = alice_client.get(reverse("export_recordings"))
    assert "Put my zip together" in page.text
    assert alice_client.get(reverse("export_recordings_zip")).url == reverse("export_recordings")

    # The tests' tasks run at once: the zip is built within the POST.
    assert alice_client.post(reverse("export_recordings")).url == reverse("export_recordings")

    export = RecordingsExport.objects.get(user=recorded.item.interview.user)
    assert (export.status, export.recordings_done, export.recordings_total) == ("ready", 1, 1)
    assert export.expires_at == T0 + timedelta(hours=24)
    page = alice_client.get(reverse("export_recordings"))
    assert "Your zip is ready: 1 recording," in page.text
    assert reverse("export_recordings_zip") in page.text
    response = alice_client.get(reverse("export_recordings_zip"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="interviewprep-recordings-2026-03-02.zip"'
    )
    archive = zip_of(response)
    name = f"interview-{recorded.item.interview_id}/question-01-{recorded.item.question.slug}.webm"
    assert archive.namelist() == [name]
    assert archive.read(name) == (recordings_dir / recorded.file).read_bytes()
    assert archive.testzip() is None

    # Another user sees no zip of theirs, and cannot get alice's.
    assert "Put my zip together" in bob_client.get(reverse("export_recordings")).text
    assert bob_client.get(reverse("export_recordings_zip")).url == reverse("export_recordings")


def test_behind_nginx_the_zip_is_handed_to_the_proxy(alice_client, recorded, settings):
    settings.RECORDINGS_ACCEL_REDIRECT_PREFIX = "/internal-recordings/"
    alice_client.post(reverse("export_recordings"))
    export = RecordingsExport.objects.get()

    response = alice_client.get(reverse("export_recordings_zip"))

    assert response["X-Accel-Redirect"] == f"/internal-recordings/{export.file}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")


def test_behind_nginx_playback_is_handed_to_the_proxy(alice_client, recorded, settings):
    settings.RECORDINGS_ACCEL_REDIRECT_PREFIX = "/internal-recordings/"

    response = alice_client.get(audio_url(recorded), HTTP_RANGE="bytes=0-99")

    assert response["X-Accel-Redirect"] == f"/internal-recordings/{recorded.file}"
    assert response["Content-Type"] == "audio/webm"
    assert response.content == b""


@FILES_DELETED_ON_COMMIT
def test_a_zip_expires_and_the_purge_deletes_it(
    alice_client, recorded, recordings_dir, time_machine
):
    alice_client.post(reverse("export_recordings"))
    export = RecordingsExport.objects.get()
    assert (recordings_dir / export.file).exists()

    time_machine.shift(timedelta(hours=25))
    assert "Put my zip together" in alice_client.get(reverse("export_recordings")).text
    assert alice_client.get(reverse("export_recordings_zip")).status_code == 302
    purge_recordings.call((T0 + timedelta(hours=25)).isoformat())

    assert not RecordingsExport.objects.exists()
    assert not (recordings_dir / export.file).exists()
    assert Recording.objects.filter(pk=recorded.pk).exists()


def test_while_a_zip_is_built_the_page_shows_its_progress(alice_client, recorded):
    export = RecordingsExport.objects.create(
        user=recorded.item.interview.user,
        requested_at=T0,
        status="building",
        recordings_total=4,
        recordings_done=1,
    )

    page = alice_client.get(reverse("export_recordings"))
    fragment = alice_client.get(reverse("export_recordings"), HTTP_HX_REQUEST="true")

    assert '<progress max="4" value="1"' in page.text
    assert "1 of 4 recordings" in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert fragment.text.lstrip().startswith('<div id="export-status"')
    assert "<h1>" not in fragment.text
    # Asking again while it is built starts no second build.
    alice_client.post(reverse("export_recordings"))
    assert RecordingsExport.objects.get().pk == export.pk


def test_a_recording_deleted_while_its_zip_is_built_is_left_out(alice_client, recorded):
    recording_store.storage().delete(recorded.file)

    alice_client.post(reverse("export_recordings"))

    assert RecordingsExport.objects.get().status == "ready"
    assert zip_of(alice_client.get(reverse("export_recordings_zip"))).namelist() == []


def test_the_account_page_links_the_recordings_download(alice_client):
    assert reverse("export_recordings") in alice_client.get(reverse("account")).text


# Headers


def test_pages_allow_recorded_media_and_the_microphone_from_this_site_only(alice_client, interview):
    response = alice_client.get(reverse("interviews:play", args=[interview.pk]))
    policy = response["Content-Security-Policy"]
    assert "media-src 'self' blob:" in policy
    assert "'unsafe-inline'" not in policy
    assert response["Permissions-Policy"] == "microphone=(self), camera=(), geolocation=()"


def test_anonymous_clients_cannot_learn_anything(db):
    assert Client().get(reverse("export_recordings")).status_code == 302
    assert Client().get(reverse("export_recordings_zip")).status_code == 302
    assert Client().post(reverse("export_recordings")).status_code == 302
    assert not RecordingsExport.objects.exists()


# Delivery and speech settings


def test_the_dashboard_shows_the_pace_of_spoken_answers(alice_client, recorded):
    engine.grade(recorded.item, 3, set(), "", T0)
    week = pace.weekly_pace(
        recorded.item.interview.user, recorded.item.interview.user.profile.zone, T0.date()
    )
    # "Attention weighs the values by query-key similarity." is 8 words in about 3 seconds.
    assert [row["answers"] for row in week] == [1]
    assert week[0]["words_per_minute"] == pytest.approx(8 * 60_000 / recorded.duration_ms)

    page = alice_client.get(reverse("home"))

    assert "Your speaking pace" in page.text
    assert f'<td class="num">{round(week[0]["words_per_minute"])}</td>' in page.text


def test_the_dashboard_leaves_pace_out_without_spoken_answers(alice_client, interview):
    engine.submit(item(interview, 1), "Typed.", T0)
    engine.grade(item(interview, 1), 3, set(), "", T0)
    assert "Your speaking pace" not in alice_client.get(reverse("home")).text


def test_speech_settings_are_off_by_default_and_reach_the_answer_step(alice_client, interview):
    page = alice_client.get(reverse("interviews:play", args=[interview.pk]))
    assert 'data-transcribe="off"' in page.text
    assert 'data-read-aloud="off"' in page.text
    settings_page = alice_client.get(reverse("settings"))
    assert "Transcribe my speech" in settings_page.text
    assert "send the audio to their maker" in settings_page.text

    alice_client.post(
        reverse("settings"),
        {"time_zone": "UTC", "transcribe_speech": "on", "read_questions_aloud": "on"},
    )

    page = alice_client.get(reverse("interviews:play", args=[interview.pk]))
    assert 'data-transcribe="on"' in page.text
    assert 'data-read-aloud="on"' in page.text


def test_a_refused_first_chunk_leaves_no_recording_behind(alice_client, interview):
    send_chunk(alice_client, interview.pk, 1, b"not audio at all" * 20)
    assert not Recording.objects.exists()


def test_joining_a_recording_bumps_its_owners_dashboard(alice, alice_client, interview, first_take):
    send_stream(alice_client, interview.pk, 1, first_take, segment=0)
    before = ProgressVersion.objects.filter(user=alice).values_list("number", flat=True).first()

    submit(alice_client, interview)

    after = ProgressVersion.objects.get(user=alice).number
    assert after > (before or 0)


def test_a_deleted_recording_leaves_the_dashboards_pace_at_once(alice_client, recorded):
    engine.grade(recorded.item, 3, set(), "", T0)
    assert "Your speaking pace" in alice_client.get(reverse("home")).text  # now cached

    alice_client.post(reverse("interviews:delete_recording", args=[recorded.pk]))

    assert "Your speaking pace" not in alice_client.get(reverse("home")).text


def test_purging_recordings_leaves_the_dashboards_pace_at_once(alice_client, recorded, clock):
    engine.grade(recorded.item, 3, set(), "", T0)
    assert "Your speaking pace" in alice_client.get(reverse("home")).text  # now cached

    clock.move_to(T0 + timedelta(minutes=1))
    call_command("purge_recordings", "--older-than", "0", stdout=io.StringIO())

    assert "Your speaking pace" not in alice_client.get(reverse("home")).text


def test_typed_notes_beside_a_recording_give_speaking_time_but_no_pace(
    alice_client, interview, first_take
):
    send_stream(alice_client, interview.pk, 1, first_take, segment=0)
    notes = "Typed notes while speaking: attention, queries, keys, values, softmax, scaling."
    submit(alice_client, interview, text=notes, transcript=None)
    recording = Recording.objects.get(item__interview=interview, item__position=1)
    engine.grade(recording.item, 3, set(), "", T0)

    page = alice_client.get(reverse("interviews:review", args=[interview.pk, 1])).text

    assert "Speaking time" in page
    assert "words per minute" not in page
    assert "Pace and filler words come from a transcript of what you said" in page
    assert recording.word_count == 0
    assert "Your speaking pace" not in alice_client.get(reverse("home")).text
    # The player the grade step polls for says the same: typed notes are not speech.
    polled = alice_client.get(
        reverse("interviews:recording_status", args=[recording.pk]), HTTP_HX_REQUEST="true"
    ).text
    assert "Speaking time" in polled
    assert "words per minute" not in polled
    assert "Pace and filler words come from a transcript of what you said" in polled


def test_the_transcript_is_kept_apart_from_the_edited_answer(alice_client, interview):
    draft_url = reverse("interviews:autosave", args=[interview.pk, 1])
    alice_client.post(draft_url, {"answer": "Um, attention.", "transcript": "um attention"})
    assert item(interview, 1).transcript == "um attention"
    # A save without a transcript (speech recognition off) leaves it as it was.
    alice_client.post(draft_url, {"answer": "Attention, edited."})
    assert item(interview, 1).transcript == "um attention"

    submit(alice_client, interview, text="Attention, edited.", transcript="um attention uh")

    assert item(interview, 1).answer_text == "Attention, edited."
    assert item(interview, 1).transcript == "um attention uh"
