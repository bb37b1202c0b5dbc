"""Measure what one chunk upload and one Range playback of a spoken answer cost the server,
through Django's test client, on a database of its own.

Usage: python -m tests.bench.recordings [DATABASE_URL]   (SQLite in a temporary folder by
default; a PostgreSQL URL's database is created and dropped.) Prints a Markdown table."""

import os
import statistics
import sys
import tempfile
import time

CHUNKS = 40
PLAYBACKS = 40


def main(database_url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="interviewprep-bench-recordings-")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["RECORDINGS_DIR"] = f"{folder}/recordings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        measure(connection, CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(connection, CaptureQueriesContext) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from sessions import engine
    from tests.audio import cut, tone
    from tests.factories import item, seed, start

    seed()
    user = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    interview = start(user, (1,), timezone.now(), timing_mode="untimed")
    engine.show(item(interview, 1), timezone.now())
    client = Client()
    client.force_login(user)
    # A minute of Opus in 2-second chunks, as the page sends it.
    pieces = cut(tone(2.0 * CHUNKS, "webm"), CHUNKS)
    url = reverse("interviews:recording_chunk", args=[interview.pk, 1])
    upload_ms, upload_queries = [], set()
    for sequence, piece in enumerate(pieces):
        data = {
            "segment": 0,
            "sequence": sequence,
            "elapsed_ms": 2000 * (sequence + 1),
            "chunk": SimpleUploadedFile("chunk", piece),
        }
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, data)
            upload_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
        upload_queries.add(len(queries))
    submit_started = time.perf_counter()
    client.post(reverse("interviews:submit", args=[interview.pk, 1]), {"answer": "Spoken."})
    join_ms = (time.perf_counter() - submit_started) * 1000
    recording = item(interview, 1).recording
    audio = recording.get_absolute_url()
    size = recording.size_bytes
    ranges = {
        "first 64 KiB": "bytes=0-65535",
        "64 KiB from the middle": f"bytes={size // 2}-{size // 2 + 65535}",
        "the last 64 KiB (suffix)": "bytes=-65536",
    }
    rows = [
        (
            "One chunk upload (2 s of Opus, ~" + f"{len(pieces[1]) // 1024} KiB)",
            upload_ms,
            upload_queries,
        )
    ]
    for label, header in ranges.items():
        times, counts = [], set()
        for _ in range(PLAYBACKS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(audio, HTTP_RANGE=header)
                body = b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 206 and body
            counts.add(len(queries))
        rows.append((f"Range playback, {label}", times, counts))
    baseline = []
    for _ in range(PLAYBACKS):
        started = time.perf_counter()
        client.get(reverse("healthz"))
        baseline.append((time.perf_counter() - started) * 1000)
    rows.append(("Trivial view (/healthz), for scale", baseline, {0}))
    vendor = connection.vendor
    print(
        f"\n{vendor}: {CHUNKS} chunks, {PLAYBACKS} requests per range; a {size // 1024} KiB file "
        f"of {recording.duration_ms / 1000:.0f} s, joined at submit in {join_ms:.0f} ms\n"
    )
    print("| Request | Median ms | 95th percentile ms | Queries |")
    print("| --- | ---: | ---: | ---: |")
    for label, times, counts in rows:
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {', '.join(map(str, sorted(counts)))} |"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
