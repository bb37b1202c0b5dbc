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
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
WRITE_REPEAT = int(os.environ.get("BENCH_WRITE_REPEAT", "10"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "100000"))
SMALL_ANSWERS = int(os.environ.get("BENCH_SMALL_ANSWERS", "2000"))
OTHER_USERS = int(os.environ.get("BENCH_OTHER_USERS", "1000"))
OTHER_ANSWERS = 10
# BENCH_PAGES=dashboard (names of pages, separated by commas) measures only those pages, with
# no write paths: a quick before/after of one page. "dashboard" includes the cold cache.
ONLY_PAGES = [name for name in os.environ.get("BENCH_PAGES", "").split(",") if name]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _backend_cpu_seconds(connection) -> float | None:
    """CPU time so far of this connection's database server process (PostgreSQL on this
    machine), or None (SQLite runs its queries in this process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _timings(clients: dict, urls: dict, repeat: int, connection, before=None) -> dict:
    """Each user's page, requested in turn (so both see the same machine at the same moment):
    wall time, this process's CPU time, and the database server's CPU time per request (a
    mean: the kernel counts it in 10 ms ticks). On a machine shared with other work the CPU
    times are the steadier figures."""
    timings = {user: [] for user in clients}
    cpu = {user: [] for user in clients}
    database = {user: 0.0 for user in clients}
    for _ in range(repeat):
        for user, client in clients.items():
            if before:
                before()
            backend = _backend_cpu_seconds(connection)
            begin, begin_cpu = time.perf_counter(), time.process_time()
            client.get(urls[user])
            cpu[user].append((time.process_time() - begin_cpu) * 1000)
            timings[user].append((time.perf_counter() - begin) * 1000)
            if backend is not None:
                database[user] += _backend_cpu_seconds(connection) - backend
    return {user: _summary(timings[user], cpu[user], database[user], repeat) for user in clients}


def _summary(timings: list[float], cpu: list[float], database: float, repeat: int) -> dict:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "cpu_ms": round(statistics.median(cpu), 2),
        "db_cpu_ms": round(database * 1000 / repeat, 2),
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

    def write_paths(members: dict) -> dict:
        """Autosave, submit, grade and a changed grade on a fresh interview, each user in
        turn, rolled back each time so the measured history stays as generated."""
        clients = {}
        for user, member in members.items():
            clients[user] = Client()
            clients[user].force_login(member)
            InterviewSession.objects.filter(user=member, status=InterviewStatus.IN_PROGRESS).update(
                status=InterviewStatus.ABANDONED, finished_at=timezone.now()
            )
        names = ("autosave", "submit", "grade", "change the grade")
        timings = {user: {name: [] for name in names} for user in members}
        cpu = {user: {name: [] for name in names} for user in members}
        database = {user: {name: 0.0 for name in names} for user in members}
        queries: dict[str, dict[str, int]] = {user: {} for user in members}
        for _ in range(WRITE_REPEAT):
            for user, member in members.items():
                client = clients[user]
                with transaction.atomic():
                    interview = engine.start_interview(member, untimed, timezone.now())
                    client.get(f"/interviews/{interview.pk}/")
                    base = f"/interviews/{interview.pk}/questions/1/"
                    steps = [
                        ("autosave", base + "draft/", {"answer": "A draft."}),
                        ("submit", base + "answer/", {"answer": "An answer to measure."}),
                        ("grade", base + "grade/", {"rating": "3", "key_points": ["1", "2"]}),
                        ("change the grade", base + "grade/", {"rating": "1", "key_points": ["1"]}),
                    ]
                    for name, url, data in steps:
                        backend = _backend_cpu_seconds(connection)
                        with CaptureQueriesContext(connection) as captured:
                            begin, begin_cpu = time.perf_counter(), time.process_time()
                            response = client.post(url, data)
                            timings[user][name].append((time.perf_counter() - begin) * 1000)
                            cpu[user][name].append((time.process_time() - begin_cpu) * 1000)
                        if backend is not None:
                            database[user][name] += _backend_cpu_seconds(connection) - backend
                        assert response.status_code in (200, 302), (url, response.status_code)
                        queries[user][name] = len(captured.captured_queries)
                    transaction.set_rollback(True)
        return {
            user: {
                name: {
                    **_summary(
                        timings[user][name], cpu[user][name], database[user][name], WRITE_REPEAT
                    ),
                    "queries": queries[user][name],
                }
                for name in names
            }
            for user in members
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

    members = {"2,000 answers": small, "100,000 answers": user}
    if ONLY_PAGES:
        writes: dict = {name: {} for name in members}
        load: dict = {}
    else:
        writes = write_paths(members)
        load = {name: prepare_for_load(member) for name, member in members.items()}

    # Every page of both users, in turn; the interview pages are each user's own.
    clients = {}
    for name, member in members.items():
        clients[name] = Client()
        clients[name].force_login(member)
    shared = {
        "trivial view (/healthz)": "/healthz",
        "bank list": "/questions/",
        "a question": question.get_absolute_url(),
        "dashboard": "/",
        "history": "/history/",
        # A page both users have: 2,000 answers make 400 interviews, 20 pages of them.
        "history, page 15": "/history/?page=15",
        "history, filtered by level": "/history/?level=advanced",
        "a question's history": f"/history/questions/{question.slug}/",
        "review": "/review/",
    }
    pages = {page: {name: path for name in members} for page, path in shared.items()}
    for page in ("answer step", "grade step", "summary"):
        if load:
            pages[page] = {name: load[name]["pages"][page] for name in members}
    if ONLY_PAGES:
        pages = {page: urls for page, urls in pages.items() if page in ONLY_PAGES}
    results: dict[str, dict] = {name: {} for name in members}
    for page, urls in pages.items():
        for name, client in clients.items():
            response = client.get(urls[name])
            assert response.status_code == 200, (urls[name], response.status_code)
            if urls[name] == "/":
                # The dashboard really shows the measured history, not the empty start page.
                answers = ANSWERS if name == "100,000 answers" else SMALL_ANSWERS
                assert f'<span class="stat-value">{answers}</span>' in response.text
        for name, figures in _timings(clients, urls, REPEAT, connection).items():
            results[name][page] = figures
        if page == "dashboard":
            cold = _timings(clients, urls, REPEAT, connection, cache.clear)
            for name, figures in cold.items():
                results[name]["dashboard, cold cache"] = figures
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "version": ".".join(map(str, connection.Database.sqlite_version_info))
                if connection.vendor == "sqlite"
                else f"{connection.pg_version // 10000}.{connection.pg_version % 100}",
                "answers": ReviewLogEntry.objects.filter(user=user).count(),
                "small_answers": ReviewLogEntry.objects.filter(user=small).count(),
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
