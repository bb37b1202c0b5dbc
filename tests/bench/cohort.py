"""`make bench-cohort`: a class starts the same mock interview at once and types its answers.

For each N in turn (smallest first, stopping after the first that fails): N users, already
signed up and logged in, start the same 30-minute interview (10 questions, 180 seconds each)
within 10 seconds; then each loads the answer step, autosaves a typing-sized draft every 5
seconds for the measured window, and submits. The requests leave on a fixed plan whatever the
server's pace (tests/bench/cohort_load.py, from several processes), so a slow server shows as
latency counted from each request's planned time, never as fewer requests. A run passes with
p99 under 250 ms, no error and no refused draft.

By default the server is started here as `make serve` runs it (gunicorn, 3 sync workers, debug
off, the local-memory cache, PostgreSQL from DATABASE_URL with the benchmark's `_bench`
suffix), on a free port of 127.0.0.1; its workers' CPU time, the database backends' and the
load generator's own are measured, and gunicorn's access log gives the server time of each
kind of request. With --target the requests go to a server already running (two nodes behind
HAProxy, say) whose database is --database-url; --server-pid names its gunicorn masters (on
this machine) to measure their workers' CPU too.

Usage: python -m tests.bench.cohort [--users 250,500,1000] [--seconds 60] [--target URL]
       [--database-url URL] [--server-pid PID ...] [--processes 2] [--keep-going]
       [--json FILE]"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse

from tests.bench import cohort_load, throughput
from tests.bench.cohort_load import Step

ROOT = Path(__file__).resolve().parents[2]
P99_TARGET_MS = 250
MAX_USERS = 5000  # bounded, whatever is asked
MAX_SECONDS = 150  # the answer's 180 seconds, with room for the submit
START_SPREAD_S = 10
AUTOSAVE_EVERY_S = 5
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "3"))  # make serve's default
# The interview every user starts: 10 questions of 180 seconds, 30 minutes in all.
INTERVIEW = {"question_count": "10", "timing_mode": "fixed", "fixed_seconds": "180"}
INTERVIEW_ORDER = "random"
# Typing: about 40 characters per 5 seconds (a fast typist's 480 a minute). Each user is at a
# random point of the question's 180 seconds when the measured window opens, so the drafts
# range from empty to the ~1,400 characters of a full answer.
CHARACTERS_PER_AUTOSAVE = 40
QUESTION_SECONDS = 180
TYPED = (
    "A neuron computes a weighted sum of its inputs, adds a bias and applies a non-linear "
    "activation such as ReLU or the sigmoid; training adjusts the weights by gradient "
    "descent on the loss, with the gradients from backpropagation. "
) * 10
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def prepare_users(count: int) -> list[dict]:
    """`count` signed-up users with a logged-in session each and no interview in progress."""
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from sessions.models import InterviewSession, InterviewStatus

    model = get_user_model()
    names = [f"cohort{number:05d}" for number in range(count)]
    existing = set(model.objects.filter(username__in=names).values_list("username", flat=True))
    model.objects.bulk_create(
        model(username=name, email=f"{name}@example.com", password="!")
        for name in names
        if name not in existing
    )
    users = list(model.objects.filter(username__in=names).order_by("username"))
    InterviewSession.objects.filter(user__in=users, status=InterviewStatus.IN_PROGRESS).update(
        status=InterviewStatus.ABANDONED, finished_at=timezone.now()
    )
    store = SessionStore()
    backend = "django.contrib.auth.backends.ModelBackend"
    expires = timezone.now() + timezone.timedelta(days=1)
    sessions = []
    for user in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            "_auth_user_backend": backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expires)
        )
    Session.objects.bulk_create(sessions)
    return [
        {"user": user.pk, "session": session.session_key, "token": secrets.token_hex(16)}
        for user, session in zip(users, sessions, strict=True)
    ]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def _latencies(seen: cohort_load.Seen) -> dict:
    every = [value for values in seen.latencies.values() for value in values]
    figures = {
        kind: {
            "count": len(values),
            "p50_ms": _percentile(values, 0.5),
            "p99_ms": _percentile(values, 0.99),
            "max_ms": round(max(values), 1),
        }
        for kind, values in seen.latencies.items()
    }
    figures["all"] = {
        "count": len(every),
        "p50_ms": _percentile(every, 0.5),
        "p90_ms": _percentile(every, 0.9),
        "p99_ms": _percentile(every, 0.99),
        "max_ms": round(max(every), 1) if every else 0.0,
        "late_over_50": sum(1 for late in seen.late_ms if late > 50),
        "late_max_ms": round(max(seen.late_ms), 1) if seen.late_ms else 0.0,
    }
    return figures


def database_backends(database: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def server_times(log: Path, since: int) -> dict:
    """Median and 99th percentile of gunicorn's own time per kind of request."""
    kinds = {
        "start": re.compile(r"^/interviews/new/$"),
        "answer step": re.compile(r"^/interviews/\d+/$"),
        "autosave": re.compile(r"^/interviews/\d+/questions/\d+/draft/$"),
        "submit": re.compile(r"^/interviews/\d+/questions/\d+/answer/$"),
        "healthz": re.compile(r"^/healthz$"),
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    with log.open() as lines:
        lines.seek(since)
        for line in lines:
            parts = line.split()
            if len(parts) != 4:
                continue
            _, path, _, micros = parts
            for name, pattern in kinds.items():
                if pattern.match(path):
                    times[name].append(int(micros) / 1000)
    return {
        name: {
            "count": len(values),
            "median_ms": round(statistics.median(values), 1),
            "p99_ms": round(sorted(values)[max(0, int(len(values) * 0.99) - 1)], 1),
        }
        for name, values in times.items()
        if values
    }


def one_cohort(args, count: int, url: str, master: int | None, log: Path | None) -> dict:
    import random

    from django.db import connection

    from sessions.models import InterviewSession, InterviewStatus, SessionQuestion

    rng = random.Random(count)
    users = prepare_users(count)
    # 1. Everyone starts the interview within START_SPREAD_S.
    offsets = [rng.uniform(0, START_SPREAD_S * 1000) for _ in users]
    body = urlencode({**INTERVIEW, "order": INTERVIEW_ORDER})
    starts = [
        Step(offset, "start", "POST", "/interviews/new/", user["session"], user["token"], body)
        for user, offset in zip(users, offsets, strict=True)
    ]
    connection.close()  # the generator's processes are forked from this one
    started, _ = cohort_load.drive(starts, url, args.processes)
    interviews = dict(
        InterviewSession.objects.filter(
            user__in=[user["user"] for user in users], status=InterviewStatus.IN_PROGRESS
        ).values_list("user", "pk")
    )
    # 2. Each loads the answer step, autosaves every 5 seconds, then submits.
    autosaves = args.seconds // AUTOSAVE_EVERY_S
    steps = []
    for user, offset in zip(users, offsets, strict=True):
        pk = interviews.get(user["user"])
        if pk is None:
            continue
        page = f"/interviews/{pk}/"
        base = f"{page}questions/1/"
        who = (user["session"], user["token"])
        typed = CHARACTERS_PER_AUTOSAVE * rng.randrange(
            0, max(1, (QUESTION_SECONDS - args.seconds) // AUTOSAVE_EVERY_S)
        )
        steps.append(Step(offset, "answer step", "GET", page, *who))
        for number in range(1, autosaves + 1):
            typed += CHARACTERS_PER_AUTOSAVE
            at = offset + number * AUTOSAVE_EVERY_S * 1000
            draft = urlencode({"answer": TYPED[:typed]})
            steps.append(Step(at, "autosave", "POST", base + "draft/", *who, draft, htmx=True))
        at = offset + (autosaves * AUTOSAVE_EVERY_S + 2) * 1000
        final = urlencode({"answer": TYPED[: typed + 20]})
        steps.append(Step(at, "submit", "POST", base + "answer/", *who, final, htmx=True))
    since = log.stat().st_size if log else 0
    server_pids = [*args.server_pid]
    for pid in [master, *args.server_pid]:
        if pid:
            server_pids += children(pid)
    database = urlparse(args.database_url).path.lstrip("/")
    backends_before = {pid: cpu_seconds(pid) for pid in database_backends(database)}
    servers_before = {pid: cpu_seconds(pid) for pid in server_pids}
    connection.close()
    answered, wall = cohort_load.drive(steps, url, args.processes)
    server_cpu = sum(cpu_seconds(pid) - before for pid, before in servers_before.items())
    backends = {pid: cpu_seconds(pid) for pid in database_backends(database)}
    database_cpu = sum(value - backends_before.get(pid, 0.0) for pid, value in backends.items())
    submitted = SessionQuestion.objects.filter(
        interview_id__in=list(interviews.values()), position=1, submitted_at__isnull=False
    ).count()
    connection.close()
    requests = sum(len(values) for values in answered.latencies.values())
    errors = {**started.errors}
    for name, number in answered.errors.items():
        errors[name] = errors.get(name, 0) + number
    errors["not started"] = count - len(interviews)
    errors["not submitted"] = count - submitted
    result = {
        "users": count,
        "start": _latencies(started),
        "answer": {**_latencies(answered), "seconds": round(wall, 1)},
        "requests_per_second": round(requests / max(wall, 1), 1),
        "errors": {name: number for name, number in errors.items() if number},
        "cpu": {
            "generator_s": round(answered.cpu_s, 2),
            "generator_share_of_a_core": round(answered.cpu_s / wall, 3),
            "generator_processes": args.processes,
            "server_s": round(server_cpu, 2) if server_pids else None,
            "server_ms_per_request": round(server_cpu * 1000 / max(requests, 1), 2)
            if server_pids
            else None,
            "database_s": round(database_cpu, 2),
            "database_ms_per_request": round(database_cpu * 1000 / max(requests, 1), 2),
            "wall_s": round(wall, 1),
        },
        "server_times": server_times(log, since) if log else {},
        "load_average": round(os.getloadavg()[0], 1),
    }
    slowest = max(result["start"]["all"]["p99_ms"], result["answer"]["all"]["p99_ms"])
    result["passed"] = slowest < P99_TARGET_MS and not result["errors"]
    return result


def start_server(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environment = throughput.server_environment(database_url)
    environment.pop("DJANGO_CACHE_URL", None)  # make serve's default: each process's memory
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "interviewprep.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting; see its output above.")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 seconds.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", default="250,500,1000,1500,2000")
    parser.add_argument("--seconds", type=int, default=60, help="the autosave window")
    parser.add_argument("--target", help="a server already running, e.g. http://127.0.0.1:8080")
    parser.add_argument("--database-url", help="the target's database (default: the bench's)")
    parser.add_argument("--server-pid", type=int, action="append", default=[])
    parser.add_argument("--processes", type=int, default=2, help="of the load generator")
    parser.add_argument(
        "--keep-going", action="store_true", help="measure every N, past the first that fails"
    )
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    counts = sorted({min(MAX_USERS, int(value)) for value in args.users.split(",")})
    args.seconds = max(AUTOSAVE_EVERY_S, min(MAX_SECONDS, args.seconds))
    if args.target and urlparse(args.target).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The cohort benchmark only loads servers on this machine (127.0.0.1).")
    if not args.database_url:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("Set DATABASE_URL to a PostgreSQL server (the cohort needs one).")
        from tests.bench.run import postgres_bench_url

        args.database_url = postgres_bench_url(url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    os.environ.setdefault("DJANGO_SECRET_KEY", throughput.SECRET_KEY)
    import django

    django.setup()
    from django.core.management import call_command

    (ROOT / "bench-data").mkdir(exist_ok=True)
    server = None
    log = None
    if args.target:
        url = args.target.rstrip("/")
    else:
        call_command("migrate", verbosity=0)
        call_command("seed_questions", verbosity=0)
    results = []
    try:
        if not args.target:
            log = ROOT / "bench-data" / "cohort-access.log"
            log.write_text("")
            server, url = start_server(args.database_url, log)
        # A few users through the whole interview first, so that every worker has loaded
        # its code and templates before the measured runs (not reported).
        print(f"Warming up {url}...", flush=True)
        one_cohort(
            argparse.Namespace(**{**vars(args), "seconds": 10}), 2 * WORKERS, url, None, None
        )
        for count in counts:
            print(f"Cohort of {count:,} against {url}...", flush=True)
            result = one_cohort(args, count, url, server.pid if server else None, log)
            result["target"] = args.target or "one node (make serve)"
            results.append(result)
            print(json.dumps(result), flush=True)
            if not result["passed"] and not args.keep_going:
                break
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    passed = [result["users"] for result in results if result["passed"]]
    summary = {"largest_passing": max(passed) if passed else 0, "runs": results}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(json.dumps({"largest_passing": summary["largest_passing"]}))


if __name__ == "__main__":
    main()
