"""`make bench`: page times at 100,000 answers on SQLite and, with DATABASE_URL, PostgreSQL.

The data lives in databases of the benchmark's own (bench-data/bench.sqlite3 and a
PostgreSQL database named after DATABASE_URL's with a _bench suffix), never the user's.
The report is written to docs/PERFORMANCE.md."""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 50


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
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test"},
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"The benchmark failed on {url}.")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(runs: list[dict]) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (tests/bench/). Server time of each page through Django's test "
        "client (the whole request: middleware, views, queries, templates), median and 95th "
        "percentile over repeated requests, for a user with 100,000 graded answers across the 30 "
        "questions over two years, among 1,000 other users. The data is generated into the "
        "benchmark's own databases. "
        f"Target for the dashboard: under {TARGET_MS} ms median on both databases.",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['vendor']} {run['version']}",
            "",
            f"{run['answers']:,} answers for the measured user, {run['all_answers']:,} in all, "
            f"{run['users']:,} users; {run['repeat']} requests per page"
            + (
                f"; data generated in {run['generation_seconds']} s."
                if run["generation_seconds"] > 1
                else "."
            ),
            "",
            "| page | median (ms) | 95th percentile (ms) |",
            "| --- | ---: | ---: |",
        ]
        for name, figures in run["results"].items():
            lines.append(f"| {name} | {figures['median_ms']} | {figures['p95_ms']} |")
        dashboard = run["results"]["dashboard (/)"]["median_ms"]
        verdict = "meets" if dashboard < TARGET_MS else "misses"
        lines += [
            "",
            f"The dashboard {verdict} the {TARGET_MS} ms target ({dashboard} ms median).",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    (ROOT / "bench-data").mkdir(exist_ok=True)
    urls = [f"sqlite:///{ROOT / 'bench-data' / 'bench.sqlite3'}"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        urls.append(postgres_bench_url(os.environ["DATABASE_URL"]))
    runs = [measure(url) for url in urls]
    text = report(runs)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "PERFORMANCE.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
