"""Spoken answers raced, each request on its own database connection: one user's chunks
against the quota, and two requests joining one recording. On PostgreSQL the statements
really wait on each other's row locks."""

from functools import partial

import pytest
from django.utils import timezone

from sessions import engine
from sessions.models import Recording, RecordingChunk
from sessions.recordings import rules as recording_rules
from sessions.recordings import store as recording_store
from tests.audio import cut, tone
from tests.factories import item, start
from tests.test_concurrency import race, turns  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024


@pytest.fixture
def answering(seeded, alice, recordings_dir):
    interview = start(alice, [1], now=timezone.now())
    engine.show(item(interview, 1), timezone.now())
    return interview


def add(interview, sequence: int, data: bytes) -> str:
    """One chunk sent from its own request: "kept", or the refusal's status."""
    chunk = recording_rules.ChunkInfo(
        segment=0, sequence=sequence, size=len(data), elapsed_ms=2000, head=data[:8192]
    )
    try:
        recording_store.add_chunk(item(interview, 1), chunk, data, timezone.now())
    except recording_rules.ChunkRefused as refusal:
        return str(refusal.status)
    return "kept"


def test_chunks_racing_for_the_last_of_the_quota_never_overshoot_it(
    alice,
    answering,
    settings,
    turns,  # noqa: F811
):
    settings.RECORDINGS_USER_QUOTA_MB = 1
    assert add(answering, 0, tone(0.5, "webm")) == "kept"
    held = recording_store.user_bytes(alice.pk)
    piece = bytes(60_000)
    fit = (MB - held) // len(piece)

    results = race([partial(add, answering, sequence, piece) for sequence in range(1, 25)], turns)

    # 24 chunks of 60 KB once overshot a 1 MB quota: each read the bytes held before any
    # reserved its own.
    assert results.count("kept") == fit
    assert results.count("413") == 24 - fit
    assert recording_store.user_bytes(alice.pk) == held + fit * len(piece) <= MB
    assert RecordingChunk.objects.count() == 1 + fit


def test_two_requests_joining_one_recording_join_it_once(answering, recordings_dir, turns):  # noqa: F811
    for sequence, piece in enumerate(cut(tone(2.0, "webm"), 3)):
        assert add(answering, sequence, piece) == "kept"
    engine.submit(item(answering, 1), "My answer.", timezone.now())
    now = timezone.now()

    def join() -> Recording:
        return recording_store.assemble(Recording.objects.get(), now)

    # The loser once read the chunks the winner had just deleted: FileNotFoundError, a 500.
    results = race([join, join, join], turns)

    joined = Recording.objects.get()
    assert joined.file and not joined.join_failed
    assert any(result.file for result in results)
    assert not RecordingChunk.objects.exists()
    answers = [path for path in recordings_dir.rglob("answer-*")]
    assert [str(path.relative_to(recordings_dir)) for path in answers] == [joined.file]
