"""Measure page times on one database; run by tests/bench/run.py in a process of its own.

Generates the data once (kept in the benchmark's own database), measures server time through
the test client, and leaves each measured user logged in with an interview in progress, so
that tests/bench/throughput.py can load the same pages under gunicorn.

Usage: python -m tests.bench.measure DATABASE_URL  (prints one JSON line)"""

import json
import os
import statistics
import sys
import time

REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
WRITE_REPEAT = int(os.environ.get("BENCH_WRITE_REPEAT", "10"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "100000"))
SMALL_ANSWERS = int(os.environ.get("BENCH_SMALL_ANSWERS", "2000"))
OTHER_USERS = int(os.environ.get("BENCH_OTHER_USERS", "1000"))
OTHER_ANSWERS = 10


def _timings(client, url: str, repeat: int, before=None) -> dict:
    """Wall time, and this process's CPU time: on a machine shared with other work the CPU
    time is the steadier figure (it leaves out the database server's own work, though)."""
    timings, cpu = [], []
    for _ in range(repeat):
        if before:
            before()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        timings.append((time.perf_counter() - begin) * 1000)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "cpu_ms": round(statistics.median(cpu), 2),
    }


def main(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from progress.models import ReviewLogEntry
    from questions.models import Question
    from sessions import engine
    from sessions.models import InterviewSession, InterviewStatus, QuestionOrder, TimingMode
    from tests.bench.data import make_history, make_user

    call_command("migrate", verbosity=0)
    call_command("seed_questions", verbosity=0)
    now = timezone.now()
    user = make_user("bench")
    small = make_user("bench2k")
    generated = 0.0
    started = time.perf_counter()
    if ReviewLogEntry.objects.filter(user=user).count() != ANSWERS:
        ReviewLogEntry.objects.filter(user=user).delete()
        user.interviews.all().delete()
        make_history(user, ANSWERS, days=730, now=now, seed=7)
        for number in range(OTHER_USERS):
            other = make_user(f"other{number:04d}")
            if not other.interviews.exists():
                make_history(other, OTHER_ANSWERS, days=730, now=now, seed=number)
    if ReviewLogEntry.objects.filter(user=small).count() != SMALL_ANSWERS:
        ReviewLogEntry.objects.filter(user=small).delete()
        small.interviews.all().delete()
        make_history(small, SMALL_ANSWERS, days=365, now=now, seed=11)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    question = Question.objects.get(number=1)
    untimed = engine.InterviewConfig(
        levels=[],
        topics=[],
        question_count=5,
        timing_mode=TimingMode.UNTIMED,
        order=QuestionOrder.RANDOM,
    )

    def write_paths(member) -> dict:
        """Autosave, submit and grade on a fresh interview, rolled back each time so the
        measured history stays as generated."""
        client = Client()
        client.force_login(member)
        InterviewSession.objects.filter(user=member, status=InterviewStatus.IN_PROGRESS).update(
            status=InterviewStatus.ABANDONED, finished_at=timezone.now()
        )
        timings: dict[str, list[float]] = {"autosave": [], "submit": [], "grade": []}
        cpu: dict[str, list[float]] = {name: [] for name in timings}
        queries: dict[str, int] = {}
        for _ in range(WRITE_REPEAT):
            with transaction.atomic():
                interview = engine.start_interview(member, untimed, timezone.now())
                client.get(f"/interviews/{interview.pk}/")
                base = f"/interviews/{interview.pk}/questions/1/"
                steps = [
                    ("autosave", base + "draft/", {"answer": "A draft."}),
                    ("submit", base + "answer/", {"answer": "An answer to measure."}),
                    ("grade", base + "grade/", {"rating": "3", "key_points": ["1", "2"]}),
                ]
                for name, url, data in steps:
                    with CaptureQueriesContext(connection) as captured:
                        begin, begin_cpu = time.perf_counter(), time.process_time()
                        response = client.post(url, data)
                        timings[name].append((time.perf_counter() - begin) * 1000)
                        cpu[name].append((time.process_time() - begin_cpu) * 1000)
                    assert response.status_code in (200, 302), (url, response.status_code)
                    queries[name] = len(captured.captured_queries)
                transaction.set_rollback(True)
        return {
            name: {
                "median_ms": round(statistics.median(values), 1),
                "cpu_ms": round(statistics.median(cpu[name]), 2),
                "queries": queries[name],
            }
            for name, values in timings.items()
        }

    def prepare_for_load(member) -> dict:
        """A logged-in session and the URLs of every page, for the throughput run."""
        client = Client()
        client.force_login(member)
        current = InterviewSession.objects.filter(
            user=member, status=InterviewStatus.IN_PROGRESS
        ).first() or engine.start_interview(member, untimed, timezone.now())
        client.get(current.get_absolute_url())  # shows the first question
        last = (
            InterviewSession.objects.filter(user=member, status=InterviewStatus.COMPLETED)
            .order_by("-started_at")
            .first()
        )
        pages = {
            "bank list": "/questions/",
            "a question": question.get_absolute_url(),
            "dashboard": "/",
            "history": "/history/",
            "a question's history": f"/history/questions/{question.slug}/",
            "review": "/review/",
            "answer step": current.get_absolute_url(),
            "grade step": f"/interviews/{last.pk}/questions/1/",
            "summary": f"/interviews/{last.pk}/summary/",
        }
        for url in pages.values():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return {"session": client.cookies["sessionid"].value, "pages": pages}

    writes = {"2,000 answers": write_paths(small), "100,000 answers": write_paths(user)}
    load = {"2,000 answers": prepare_for_load(small), "100,000 answers": prepare_for_load(user)}

    client = Client()
    client.force_login(user)
    pages = {
        "trivial view (/healthz)": "/healthz",
        "dashboard (/)": "/",
        "history, first page": "/history/",
        "history, page 50": "/history/?page=50",
        "history, filtered by level": "/history/?level=advanced",
        "question history": f"/history/questions/{question.slug}/",
        "due for review": "/review/",
        "question bank": "/questions/",
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if url == "/":
            # The dashboard really shows the measured history, not the empty start page.
            assert f'<span class="stat-value">{ANSWERS}</span>' in response.text
        results[name] = _timings(client, url, REPEAT)
        if url == "/":
            results["dashboard (/), cold cache"] = _timings(client, url, REPEAT, cache.clear)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "version": ".".join(map(str, connection.Database.sqlite_version_info))
                if connection.vendor == "sqlite"
                else f"{connection.pg_version // 10000}.{connection.pg_version % 100}",
                "answers": ReviewLogEntry.objects.filter(user=user).count(),
                "all_answers": ReviewLogEntry.objects.count(),
                "users": user.__class__.objects.count(),
                "generation_seconds": round(generated, 1),
                "repeat": REPEAT,
                "results": results,
                "writes": writes,
                "load": load,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
