"""Measure page times on one database; run by tests/bench/run.py in a process of its own.

Usage: python -m tests.bench.measure DATABASE_URL  (prints one JSON line)"""

import json
import os
import statistics
import sys
import time

REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "100000"))
OTHER_USERS = int(os.environ.get("BENCH_OTHER_USERS", "1000"))
OTHER_ANSWERS = 10


def main(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from progress.models import ReviewLogEntry
    from questions.models import Question
    from tests.bench.data import make_history, make_user

    call_command("migrate", verbosity=0)
    call_command("seed_questions", verbosity=0)
    now = timezone.now()
    user = make_user("bench")
    generated = 0.0
    if ReviewLogEntry.objects.filter(user=user).count() != ANSWERS:
        started = time.perf_counter()
        ReviewLogEntry.objects.filter(user=user).delete()
        user.interviews.all().delete()
        make_history(user, ANSWERS, days=730, now=now, seed=7)
        for number in range(OTHER_USERS):
            other = make_user(f"other{number:04d}")
            if not other.interviews.exists():
                make_history(other, OTHER_ANSWERS, days=730, now=now, seed=number)
        generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client()
    client.force_login(user)
    question = Question.objects.get(number=1)
    pages = {
        "trivial view (/healthz)": "/healthz",
        "dashboard (/)": "/",
        "history, first page": "/history/",
        "history, page 50": "/history/?page=50",
        "history, filtered by level": "/history/?level=advanced",
        "question history": f"/history/questions/{question.slug}/",
        "due for review": "/review/",
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if url == "/":
            # The dashboard really shows the measured history, not the empty start page.
            assert f'<span class="stat-value">{ANSWERS}</span>' in response.text
        timings = []
        for _ in range(REPEAT):
            begin = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        timings.sort()
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        }
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
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
