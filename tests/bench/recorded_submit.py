"""The server time of submitting a spoken answer, before and after the join moved to a task:
with the join in the request (the immediate task backend runs it inside the submit, as the
submit did before) and with the join queued for a worker (the database backend, as in
production); and what the worker then spends on the join.

Usage: python -m tests.bench.recorded_submit [DATABASE_URL]   (SQLite in a temporary folder by
default; a PostgreSQL URL's database gets a test database of its own, created and dropped.)
Prints a Markdown table, and the figures as JSON on the last line. `make bench` runs it."""

import json
import os
import statistics
import sys
import tempfile
import time

REPEAT = int(os.environ.get("BENCH_RECORDED_SUBMIT_REPEAT", "8"))
CHUNKS = 30  # a minute of Opus, in the page's 2-second chunks

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def main(database_url: str | None) -> dict:
    folder = tempfile.mkdtemp(prefix="interviewprep-bench-submit-")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["RECORDINGS_DIR"] = f"{folder}/recordings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        return measure(connection)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(connection) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from sessions import engine
    from sessions.models import Recording
    from sessions.recordings import tasks as recording_tasks
    from tests.audio import cut, tone
    from tests.factories import item, seed, start

    seed()
    user = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    client = Client()
    client.force_login(user)
    pieces = cut(tone(2.0 * CHUNKS, "webm"), CHUNKS)

    def recorded_answer():
        interview = start(user, (1,), timezone.now(), timing_mode="untimed")
        engine.show(item(interview, 1), timezone.now())
        url = reverse("interviews:recording_chunk", args=[interview.pk, 1])
        for sequence, piece in enumerate(pieces):
            data = {
                "segment": 0,
                "sequence": sequence,
                "elapsed_ms": 2000 * (sequence + 1),
                "chunk": SimpleUploadedFile("chunk", piece),
            }
            assert client.post(url, data).status_code == 200
        return interview

    def submit(interview) -> tuple[float, int]:
        url = reverse("interviews:submit", args=[interview.pk, 1])
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, {"answer": "Spoken."})
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed, len(queries)

    figures = {}
    for label, tasks in (
        ("join in the request (before)", IMMEDIATE),
        ("join queued (after)", DATABASE),
    ):
        times, counts, joins = [], set(), []
        with override_settings(TASKS=tasks):
            for _ in range(REPEAT):
                interview = recorded_answer()
                elapsed, count = submit(interview)
                times.append(elapsed)
                counts.add(count)
                recording = Recording.objects.get(item__interview=interview)
                if tasks is DATABASE:
                    assert not recording.file  # the submit left the join to the worker
                    started = time.perf_counter()
                    assert recording_tasks.join_recording.call(recording.pk)
                    joins.append((time.perf_counter() - started) * 1000)
                else:
                    assert recording.file
                engine.abandon(interview, timezone.now())  # the next one may start
        figures[label] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": sorted(counts),
        }
        if joins:
            figures["the join, in the worker"] = {
                "median_ms": round(statistics.median(joins), 1),
                "max_ms": round(max(joins), 1),
                "queries": [],
            }
    return {"vendor": connection.vendor, "chunks": CHUNKS, "repeat": REPEAT, "figures": figures}


def table(run: dict) -> str:
    lines = [
        f"Submitting a spoken answer of {run['chunks'] * 2} s ({run['chunks']} chunks) on "
        f"{run['vendor']}, {run['repeat']} submits each, through Django's test client:",
        "",
        "| submit of a recorded answer | median (ms) | max (ms) | queries |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, values in run["figures"].items():
        queries = ", ".join(map(str, values["queries"])) or "—"
        lines.append(f"| {label} | {values['median_ms']} | {values['max_ms']} | {queries} |")
    return "\n".join(lines)


if __name__ == "__main__":
    result = main(sys.argv[1] if len(sys.argv) > 1 else None)
    print(table(result))
    print(json.dumps(result))
