"""A follow-up answered aloud: its recording's row (one question or one follow-up, never both
nor neither), its pieces under the question's rules (owner only, the same clock and limits),
joined and played on the rating step, the summary and the question's history, deleted with
its interview or account, in the exports; and the question's history listing each answer's
follow-up in a fixed number of queries."""

import html
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from sessions import engine, follow_ups
from sessions.models import FollowUpAnswer, FollowUpRating, Rating, Recording, TimingMode
from sessions.recordings import store as recording_store
from sessions.recordings import tasks as recording_tasks
from tests.audio import tone
from tests.factories import T0, answer, grade, item, set_profile, start
from tests.recording_uploads import chunk_url, send_chunk, send_stream, stored_files

GRACE = 5
SPOKEN = "Without a non-linearity, um, stacked layers collapse into one."
FILES_DELETED_ON_COMMIT = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clock(time_machine, settings, recordings_dir):
    settings.INTERVIEW_GRACE_SECONDS = GRACE
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture(scope="module")
def take() -> bytes:
    return tone(2.0, "webm")


def follow_up(interview, position: int = 1) -> FollowUpAnswer:
    return FollowUpAnswer.objects.select_related("interview", "item").get(
        interview=interview, item__position=position
    )


@pytest.fixture
def interview(seeded, alice):
    """Question 1 answered and graded: its follow-up (60 seconds) is on screen."""
    interview = start(
        alice, (1, 2), T0, timing_mode=TimingMode.FIXED, fixed_seconds=120, follow_up_round=True
    )
    grade(answer(interview, 1, T0), Rating.HARD, 3, T0)
    engine.show(follow_up(interview), T0)
    return interview


def submit_follow_up(client, interview, text="I said it aloud.", transcript=SPOKEN):
    return client.post(
        reverse("interviews:follow_up_submit", args=[interview.pk, 1]),
        {"answer": text, "transcript": transcript},
        follow=True,
    )


@pytest.fixture
def spoken(alice_client, interview, take) -> Recording:
    """The follow-up answered out loud, submitted, and so joined."""
    send_stream(alice_client, interview.pk, 1, take, follow_up=True)
    submit_follow_up(alice_client, interview)
    return Recording.objects.select_related("follow_up__item__question").get(
        follow_up__interview=interview
    )


# The row


def test_a_recording_answers_one_question_or_one_follow_up(interview):
    asked = follow_up(interview)
    for parents in ({}, {"item": item(interview, 1), "follow_up": asked}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Recording.objects.create(created_at=T0, **parents)
    Recording.objects.create(created_at=T0, follow_up=asked)
    Recording.objects.create(created_at=T0, item=item(interview, 1))
    # One recording per follow-up, as per question.
    with pytest.raises(IntegrityError), transaction.atomic():
        Recording.objects.create(created_at=T0, follow_up=asked)


# The pieces


def test_the_follow_up_step_offers_the_recorder(alice, alice_client, interview):
    set_profile(alice, transcribe_speech=True)
    page = alice_client.get(interview.get_absolute_url()).text
    assert 'data-step="follow-up-answer"' in page
    assert f'data-upload-url="{chunk_url(interview.pk, 1, follow_up=True)}"' in page
    assert "Record your answer" in page
    # 60 seconds and the grace period, as for a question.
    assert f'data-max-ms="{(60 + GRACE) * 1000}"' in page
    # What speech recognition hears is sent beside the answer, as for a question.
    assert "data-transcript" in page


def test_the_follow_ups_pieces_are_kept_apart_from_the_questions(
    alice_client, interview, take, recordings_dir
):
    response = send_chunk(alice_client, interview.pk, 1, take[:4000], follow_up=True)

    assert response.json() == {"segment": 0, "sequence": 0, "duplicate": False}
    recording = Recording.objects.get()
    assert recording.follow_up == follow_up(interview)
    assert recording.item is None
    assert recording.answer == follow_up(interview)
    assert (recording.chunk_count, recording.container) == (1, "webm")
    [name] = stored_files(recordings_dir)
    assert name.startswith(f"{interview.user_id}/follow-up-{recording.follow_up_id}/chunks/")


def test_only_the_owner_can_send_a_follow_ups_pieces(
    client, bob_client, interview, take, recordings_dir
):
    other = send_chunk(bob_client, interview.pk, 1, take[:4000], follow_up=True)
    anonymous = send_chunk(client, interview.pk, 1, take[:4000], follow_up=True)

    assert other.status_code == 404
    # As for a question's pieces: fetch would follow a redirect to the log-in page.
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "You have been logged out.", "final": False}
    assert bob_client.get(chunk_url(interview.pk, 1, follow_up=True)).status_code == 405
    assert stored_files(recordings_dir) == []
    assert not Recording.objects.exists()


def test_a_follow_up_not_asked_yet_takes_no_pieces(alice_client, interview, take):
    refused = send_chunk(alice_client, interview.pk, 2, take[:4000], follow_up=True)
    assert refused.status_code == 409
    assert refused.json()["error"] == "This question has not been shown yet."
    missing = send_chunk(alice_client, interview.pk, 3, take[:4000], follow_up=True)
    assert missing.status_code == 404


def test_the_follow_ups_clock_and_limits_apply(alice_client, interview, take, clock, settings):
    settings.RECORDINGS_MAX_MB = 1
    too_long = send_chunk(
        alice_client, interview.pk, 1, take[:4000], follow_up=True, elapsed_ms=68_000
    )
    assert too_long.status_code == 413
    assert (
        too_long.json()["error"] == "A recorded answer stops at 65 seconds; the rest was not kept."
    )
    assert send_chunk(alice_client, interview.pk, 1, take[:4000], follow_up=True).status_code == 200
    Recording.objects.update(size_bytes=1024 * 1024 - 100)
    too_big = send_chunk(alice_client, interview.pk, 1, b"\x00" * 200, follow_up=True, sequence=1)
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "A recorded answer can hold 1 MB; the rest was not kept."

    clock.move_to(T0 + timedelta(seconds=60 + GRACE + 1), tick=False)
    late = send_chunk(alice_client, interview.pk, 1, take[4000:8000], follow_up=True, sequence=1)
    assert late.status_code == 409
    assert late.json()["error"].startswith("Time is up")


def test_a_submitted_follow_up_takes_no_more_pieces(alice_client, spoken, take):
    interview = spoken.follow_up.interview
    refused = send_chunk(alice_client, interview.pk, 1, take[:4000], follow_up=True, segment=1)
    assert refused.status_code == 409
    assert "already submitted" in refused.json()["error"]


def test_a_follow_ups_bytes_count_against_the_users_quota(spoken, alice):
    assert recording_store.user_bytes(alice.pk) == spoken.size_bytes > 0


def test_one_follow_up_piece_runs_the_questions_number_of_queries(
    alice_client, interview, take, django_assert_num_queries
):
    send_chunk(alice_client, interview.pk, 1, take[:4000], follow_up=True)
    # The session's row, then: 1. the user, 2. the follow-up with its interview, question
    # and recording, 3. the recording, 4. a chunk already at this place, 5. a savepoint,
    # 6. the user's row locked, 7. the user's bytes held, 8. the bytes reserved, 9. the
    # savepoint released, 10.-12. the chunk's INSERT in a savepoint.
    with django_assert_num_queries(1 + 12):
        response = send_chunk(
            alice_client, interview.pk, 1, take[4000:8000], follow_up=True, sequence=1
        )
    assert response.status_code == 200


# Joined and played


def test_submitting_joins_it_and_the_rating_step_plays_it(alice_client, interview, take):
    send_stream(alice_client, interview.pk, 1, take, follow_up=True)

    page = submit_follow_up(alice_client, interview).text

    recording = Recording.objects.get(follow_up__interview=interview)
    assert recording.file.startswith(f"{interview.user_id}/follow-up-{recording.follow_up_id}/")
    assert recording.duration_ms == pytest.approx(2000, abs=100)
    # The words spoken are the transcript's, not the typed text's.
    assert recording.word_count == 10
    assert 'data-step="follow-up-grade"' in page
    assert f'src="{recording.get_absolute_url()}"' in page
    assert "Your recorded answer" in page
    assert "Filler words" in page


def test_the_summary_and_the_questions_history_play_it(alice_client, spoken):
    interview = spoken.follow_up.interview
    follow_ups.grade_follow_up(follow_up(interview), FollowUpRating.PARTLY, T0)
    summary = alice_client.get(reverse("interviews:summary", args=[interview.pk])).text
    history = alice_client.get(
        reverse("progress:question_history", args=[spoken.follow_up.item.question.slug])
    ).text

    for page in (summary, history):
        assert f'src="{spoken.get_absolute_url()}"' in page
        assert 'aria-label="Your recorded follow-up answer of 2 Mar 2026"' in page
        assert reverse("interviews:delete_recording", args=[spoken.pk]) in page
    assert "The interviewer followed up:" in history
    assert html.escape(spoken.follow_up.prompt) in history
    assert "I said it aloud." in history
    assert "Partly" in history


def test_the_owner_alone_plays_or_deletes_it(alice_client, bob_client, client, spoken):
    audio = spoken.get_absolute_url()
    delete = reverse("interviews:delete_recording", args=[spoken.pk])
    status = reverse("interviews:recording_status", args=[spoken.pk])

    assert alice_client.get(audio).status_code == 200
    assert bob_client.get(audio).status_code == 404
    assert client.get(audio).status_code == 404
    assert bob_client.get(delete).status_code == 404
    assert bob_client.post(delete).status_code == 404
    assert bob_client.get(status).status_code == 404
    assert client.post(delete)["Location"].startswith(reverse("login"))
    assert Recording.objects.filter(pk=spoken.pk).exists()
    # Without htmx the recording's state is its answer's page: the interview's, for a
    # follow-up.
    assert alice_client.get(status)["Location"] == spoken.follow_up.interview.get_absolute_url()


@FILES_DELETED_ON_COMMIT
def test_deleting_it_keeps_the_written_follow_up(alice_client, spoken, recordings_dir):
    response = alice_client.post(
        reverse("interviews:delete_recording", args=[spoken.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "progress:question_history", args=[spoken.follow_up.item.question.slug]
    )
    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []
    assert follow_up(spoken.follow_up.interview).answer_text == "I said it aloud."


@FILES_DELETED_ON_COMMIT
def test_deleting_the_account_deletes_its_files(
    alice_client, alice, password, spoken, recordings_dir
):
    assert stored_files(recordings_dir) == [spoken.file]

    response = alice_client.post(reverse("delete_account"), {"password": password})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not Recording.objects.exists()
    assert stored_files(recordings_dir) == []


def test_abandoning_drops_the_pieces_of_an_unanswered_follow_up(alice_client, interview, take):
    send_stream(alice_client, interview.pk, 1, take, follow_up=True)
    assert Recording.objects.filter(follow_up__interview=interview).exists()

    alice_client.post(reverse("interviews:abandon", args=[interview.pk]))

    assert not Recording.objects.exists()


def test_a_follow_up_the_clock_finalised_is_joined_by_the_minute_job(
    alice_client, interview, take, clock
):
    send_stream(alice_client, interview.pk, 1, take, follow_up=True)
    later = T0 + timedelta(seconds=60 + GRACE + 1)
    clock.move_to(later, tick=False)
    engine.finalise_expired(interview, later)

    assert recording_tasks.queue_waiting_joins(later) == 1

    recording = Recording.objects.get()
    assert recording.file
    assert recording.join_queued_at == later


# Exports


def test_the_json_export_and_the_zip_hold_it(alice_client, spoken, recordings_dir):
    slug = spoken.follow_up.item.question.slug
    name = f"interview-{spoken.follow_up.interview_id}/question-01-{slug}-follow-up.webm"

    data = json.loads(alice_client.get(reverse("export_data")).content)
    questions = data["interviews"][0]["questions"]
    assert questions[0]["recording"] is None
    assert questions[0]["follow_up"]["recording"] == {
        "container": "webm",
        "duration_ms": spoken.duration_ms,
        "size_bytes": spoken.size_bytes,
        "created_at": "2026-03-02T09:00:00.000000+00:00",
        "file_in_zip": name,
    }

    alice_client.post(reverse("export_recordings"))
    response = alice_client.get(reverse("export_recordings_zip"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [name]
    assert archive.read(name) == (recordings_dir / spoken.file).read_bytes()


# The question's history


def interviews_with_follow_ups(user, count: int) -> None:
    """`count` one-question interviews of question 1, each answer followed up, answered
    aloud and rated; the recordings' rows only (the page needs no file)."""
    for number in range(count):
        now = T0 + timedelta(hours=number)
        interview = start(
            user, (1,), now, timing_mode=TimingMode.FIXED, fixed_seconds=120, follow_up_round=True
        )
        grade(answer(interview, 1, now), Rating.GOOD, 2, now)
        asked = engine.show(follow_up(interview), now)
        engine.submit(asked, f"Follow-up answer {number}.", now)
        follow_ups.grade_follow_up(follow_up(interview), FollowUpRating.WELL, now)
        Recording.objects.create(
            follow_up=asked,
            created_at=now,
            container="webm",
            size_bytes=1000,
            file=f"absent/{number}.webm",
            duration_ms=30_000,
            assembled_at=now,
        )


@pytest.mark.parametrize("count", [1, 3])
def test_the_questions_history_lists_each_follow_up_in_fixed_queries(
    seeded, alice, alice_client, django_assert_num_queries, count
):
    interviews_with_follow_ups(alice, count)
    slug = item(alice.interviews.first(), 1).question.slug

    # The session's row, then: 1 user, 2 question, 3 the page's answer ids, 4 those answers
    # with their key-point counts, recordings, follow-ups and the follow-ups' recordings,
    # 5 their sent reviews, 6 the agreement with the suggestions, 7 the card, 8 its
    # most-missed key points: as many as without follow-ups.
    with django_assert_num_queries(1 + 8):
        page = alice_client.get(reverse("progress:question_history", args=[slug])).text

    assert page.count("The interviewer followed up:") == count
    assert page.count("Answered it well") == count
    assert page.count("Your recorded follow-up answer of") == count
    for number in range(count):
        assert f"Follow-up answer {number}." in page
