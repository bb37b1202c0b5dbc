"""`make bench`: server time at 100,000 answers and requests per second under gunicorn, on
SQLite and, with DATABASE_URL, PostgreSQL.

The data lives in databases of the benchmark's own (bench-data/bench.sqlite3 and a
PostgreSQL database named after DATABASE_URL's with a _bench suffix), never the user's.
The tables are written into docs/PERFORMANCE.md between the `make bench` markers; the rest of
that file (the before/after notes, the profile) is left as it is. The raw figures go to
bench-data/last-<database>.json."""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tests.bench import recorded_submit, throughput

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "PERFORMANCE.md"
START = "<!-- make bench: start -->"
END = "<!-- make bench: end -->"
DASHBOARD_TARGET_MS = 15
SHARE_TARGET = 0.4
DASHBOARD_SHARE_TARGET = 0.25


def postgres_bench_url(url: str) -> str:
    import psycopg

    parts = urlparse(url)
    name = (parts.path.lstrip("/") or "interviewprep") + "_bench"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path="/" + name))


def measure(url: str) -> dict:
    print(f"Measuring on {urlparse(url).scheme} (the first run generates the data)...", flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.measure", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test",
            "DJANGO_SECRET_KEY": throughput.SECRET_KEY,
        },
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"The benchmark failed on {url}.")
    run = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"Loading pages under gunicorn on {run['vendor']}...", flush=True)
    run["throughput"] = throughput.measure(url, run.pop("load"))
    print(f"Submitting spoken answers on {run['vendor']}...", flush=True)
    run["recorded_submit"] = measure_recorded_submit(url)
    return run


def measure_recorded_submit(url: str) -> dict:
    """The submit of a spoken answer with the join in the request and queued for a worker
    (tests/bench/recorded_submit.py, on a test database of its own next to `url`'s)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.recorded_submit", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test"},
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"The recorded-submit benchmark failed on {url}.")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _versions() -> str:
    import django

    gunicorn = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    wrk = subprocess.run(
        [throughput.WRK, "-v"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, {gunicorn}, "
        f"{wrk[0].split(' [')[0] if wrk else 'wrk'}; {cpu}, {os.cpu_count()} cores "
        f"({platform.system()} {platform.release()})"
    )


def tables(runs: list[dict]) -> str:
    lines = [
        START,
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {_versions()}. The machine was "
        "shared with other work while this ran, so read the shares against `/healthz`, "
        "measured in the same minute, rather than the raw figures.",
        "",
    ]
    for run in runs:
        lines += [
            f"### {run['vendor']} {run['version']}: requests per second under gunicorn",
            "",
            f"gunicorn with {throughput.WORKERS} sync workers, debug off, the full middleware "
            f"stack; `wrk -t2 -c{throughput.CONNECTIONS} -d{throughput.SECONDS}s` on loopback "
            f"with a logged-in session cookie; each page right after `/healthz`, best of "
            f"{throughput.ROUNDS} rounds.",
            "",
            "| user | page | req/s | `/healthz` req/s | share of `/healthz` | p99 (ms) |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for user, pages in run["throughput"].items():
            for name, figures in pages.items():
                lines.append(
                    f"| {user} | {name} (`{figures['path']}`) | {figures['rps']:,.0f} | "
                    f"{figures['healthz_rps']:,.0f} | {figures['share']:.2f} | "
                    f"{figures['p99_ms']:.1f} |"
                )
        lines += [
            "",
            f"### {run['vendor']} {run['version']}: server time",
            "",
            f"Through Django's test client (the whole request: middleware, views, queries, "
            f"templates) for the user with {run['answers']:,} graded answers, "
            f"{run['all_answers']:,} in all, {run['users']:,} users; {run['repeat']} requests "
            "per page. Cold cache: the cache is emptied before each request. CPU time is this "
            "process's own (it leaves out PostgreSQL's work), the steadier figure on a shared "
            "machine.",
            "",
            "| page | median (ms) | 95th percentile (ms) | median CPU time (ms) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, figures in run["results"].items():
            lines.append(
                f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | "
                f"{figures.get('cpu_ms', '')} |"
            )
        lines += [
            "",
            f"### {run['vendor']} {run['version']}: write paths",
            "",
            "Server time of one request and its queries, on a fresh interview, median of "
            "repeated runs (each rolled back).",
            "",
            "| user | step | median (ms) | queries |",
            "| --- | --- | ---: | ---: |",
        ]
        for user, steps in run["writes"].items():
            for name, figures in steps.items():
                lines.append(f"| {user} | {name} | {figures['median_ms']} | {figures['queries']} |")
        if "recorded_submit" in run:
            lines += [
                "",
                f"### {run['vendor']} {run['version']}: the submit of a spoken answer",
                "",
                "Before: the join in the request (the immediate task backend runs it within the "
                "submit, as the submit did before joins moved to a worker). After: the join "
                "queued for a worker (the database backend, as in production); the worker's "
                "time for the join is shown apart.",
                "",
                recorded_submit.table(run["recorded_submit"]),
            ]
        lines += ["", *verdicts(run), ""]
    lines.append(END)
    return "\n".join(lines)


def verdicts(run: dict) -> list[str]:
    said = []
    small = run["throughput"]["2,000 answers"]
    below = [name for name, figures in small.items() if figures["share"] < SHARE_TARGET]
    said.append(
        f"- Every page at ≥ {SHARE_TARGET} of `/healthz` for the 2,000-answer user: "
        + ("met." if not below else "missed by " + ", ".join(below) + ".")
    )
    big = run["throughput"]["100,000 answers"]["dashboard"]["share"]
    said.append(
        f"- Dashboard at ≥ {DASHBOARD_SHARE_TARGET} of `/healthz` for the 100,000-answer user: "
        f"{'met' if big >= DASHBOARD_SHARE_TARGET else 'missed'} ({big:.2f})."
    )
    slow = [
        f"{user}: {name}"
        for user, pages in run["throughput"].items()
        for name, figures in pages.items()
        if figures["p99_ms"] >= 100
    ]
    said.append(
        "- p99 under 100 ms at 32 connections: "
        + ("met." if not slow else "missed by " + ", ".join(slow) + ".")
    )
    cold = run["results"].get("dashboard (/), cold cache", run["results"]["dashboard (/)"])
    said.append(
        f"- Dashboard ≤ {DASHBOARD_TARGET_MS} ms median cold, ≤ 5 ms warm at 100,000 answers: "
        f"cold {cold['median_ms']} ms, warm {run['results']['dashboard (/)']['median_ms']} ms."
    )
    return said


def write_report(text: str) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Performance\n\n"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n## Latest `make bench`\n\n" + text + "\n"
    REPORT.write_text(new, encoding="utf-8")


def main() -> None:
    (ROOT / "bench-data").mkdir(exist_ok=True)
    urls = [f"sqlite:///{ROOT / 'bench-data' / 'bench.sqlite3'}"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        urls.append(postgres_bench_url(os.environ["DATABASE_URL"]))
    only = os.environ.get("BENCH_ONLY")  # sqlite or postgres, to measure one database
    runs = [measure(url) for url in urls if not only or url.startswith(only)]
    for run in runs:
        (ROOT / "bench-data" / f"last-{run['vendor']}.json").write_text(json.dumps(run, indent=2))
    text = tables(runs)
    write_report(text)
    print(text)


if __name__ == "__main__":
    main()
