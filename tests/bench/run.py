"""`make bench`: each page and write path for a user with 2,000 answers and one with 100,000,
on SQLite and, with DATABASE_URL, PostgreSQL; and requests per second under gunicorn.

The data lives in databases of the benchmark's own (bench-data/bench.sqlite3 and a
PostgreSQL database named after DATABASE_URL's with a _bench suffix), never the user's.
The tables are written into docs/PERFORMANCE.md between the `make bench` markers; the rest of
that file (the before/after notes, the profile) is left as it is. The raw figures go to
bench-data/last-<database>.json.

BENCH_BEFORE=<git revision> measures that revision too, side by side in the same run: its
code is exported to bench-data/before-<commit>/ and measured by this checkout's measuring
scripts, on the same generated data (the revision generates it in a database of its own,
which is then copied for this checkout, whose migrations run on the copy). The two are
measured in turn, BENCH_ROUNDS times (2 by default), each figure the best of its rounds.

BENCH_PAGES=dashboard (page names, separated by commas) measures only those pages, without
the write paths or gunicorn, and prints their rows instead of rewriting the report."""

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tests.bench import decks, recorded_submit, throughput

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "PERFORMANCE.md"
START = "<!-- make bench: start -->"
END = "<!-- make bench: end -->"
DASHBOARD_TARGET_MS = 15
CPU_BUDGET_MS = 5  # per page, at 2,000 answers
GROWTH_TARGET = 1.5  # the cost at 100,000 answers against the cost at 2,000
SMALL, BIG = "2,000 answers", "100,000 answers"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def postgres_bench_url(url: str) -> str:
    parts = urlparse(url)
    name = (parts.path.lstrip("/") or "interviewprep") + "_bench"
    bench = urlunparse(parts._replace(path="/" + name))
    postgres_database(bench)
    return bench


def postgres_database(url: str) -> None:
    """Create the database of `url` if it does not exist yet."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def run_measure(url: str, code: Path = ROOT) -> dict:
    """tests/bench/measure.py against `url`, on the application code in `code`."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.measure", url],
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": str(code),
            "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test",
            "DJANGO_SECRET_KEY": throughput.SECRET_KEY,
        },
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"The benchmark failed on {url} ({code}).")
    return json.loads(result.stdout.strip().splitlines()[-1])


def export_revision(revision: str) -> Path:
    """The revision's code in bench-data/before-<commit>/, with this checkout's measuring
    scripts, so that both are measured the same way."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if not commit:
        raise SystemExit(f"BENCH_BEFORE={revision} is not a revision of this repository.")
    tree = ROOT / "bench-data" / f"before-{commit}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for script in (ROOT / "tests" / "bench").glob("*.py"):
        shutil.copy(script, tree / "tests" / "bench" / script.name)
    return tree


def copy_database(source: str, target: str) -> None:
    """Make `target` an exact copy of the database `source` (both benchmark databases)."""
    if source.startswith("sqlite"):
        shutil.copy(urlparse(source).path, urlparse(target).path)
        return
    import psycopg

    parts = urlparse(source)
    admin = urlunparse(parts._replace(path="/postgres"))
    old, new = parts.path.lstrip("/"), urlparse(target).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{new}"')
        connection.execute(f'CREATE DATABASE "{new}" TEMPLATE "{old}"')


def _best(runs: list[dict]) -> dict:
    """One run's figures with every figure the best (lowest) of the runs."""
    best = json.loads(json.dumps(runs[0]))
    if "load" in runs[-1]:
        # Each run logs the users in anew (and sets their passwords): the last sessions hold.
        best["load"] = runs[-1]["load"]
    for run in runs[1:]:
        for part in ("results", "writes"):
            for user, items in run[part].items():
                for name, figures in items.items():
                    kept = best[part][user][name]
                    for key, value in figures.items():
                        if key != "queries":
                            kept[key] = min(kept[key], value)
    return best


def measure(url: str) -> dict:
    """This checkout's figures on `url` (and, with BENCH_BEFORE, the revision's beside them),
    then requests per second under gunicorn."""
    vendor = urlparse(url).scheme
    revision = os.environ.get("BENCH_BEFORE")
    print(f"Measuring on {vendor} (the first run generates the data)...", flush=True)
    if revision:
        tree = export_revision(revision)
        before_url = (
            url.replace(".sqlite3", "-before.sqlite3") if vendor == "sqlite" else url + "_before"
        )
        if vendor != "sqlite":
            postgres_database(before_url)
        before_runs, after_runs = [], []
        for number in range(ROUNDS):
            print(f"Round {number + 1}: {revision} ({tree.name}), then this checkout", flush=True)
            before_runs.append(run_measure(before_url, tree))
            if number == 0:
                copy_database(before_url, url)
            after_runs.append(run_measure(url))
            for label, runs in (("before", before_runs), ("after", after_runs)):
                kept = ROOT / "bench-data" / f"round-{number + 1}-{vendor}-{label}.json"
                kept.write_text(json.dumps(runs[-1], indent=2))
        run = _best(after_runs)
        run["before"] = {**_best(before_runs), "revision": revision, "commit": tree.name[7:]}
        run["before"].pop("load", None)
    else:
        run = _best([run_measure(url) for _ in range(ROUNDS)])
    if os.environ.get("BENCH_PAGES"):
        return run
    print(f"Loading pages under gunicorn on {run['vendor']}...", flush=True)
    run["throughput"] = throughput.measure(url, run.pop("load"))
    print(f"Submitting spoken answers on {run['vendor']}...", flush=True)
    run["recorded_submit"] = measure_recorded_submit(url)
    print(f"Listing 50 decks of 200 questions on {run['vendor']}...", flush=True)
    run["decks"] = measure_decks(url)
    return run


def measure_decks(url: str) -> dict:
    """The pages that list decks for a user with 50 of them (tests/bench/decks.py, in a
    database of its own next to `url`'s)."""
    decks_url = decks.database_url(url)
    if not decks_url.startswith("sqlite"):
        postgres_database(decks_url)
    return _run_part("tests.bench.decks", decks_url, "The decks benchmark")


def measure_recorded_submit(url: str) -> dict:
    """The submit of a spoken answer with the join in the request and queued for a worker
    (tests/bench/recorded_submit.py, on a test database of its own next to `url`'s)."""
    return _run_part("tests.bench.recorded_submit", url, "The recorded-submit benchmark")


def _run_part(module: str, url: str, name: str) -> dict:
    """One part of the benchmark in a process of its own; the JSON line it prints last."""
    result = subprocess.run(
        [sys.executable, "-m", module, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test"},
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{name} failed on {url}.")
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


def _cost(figures: dict) -> float:
    """A request's server CPU: the application's (median) and the database server's (mean;
    0 on SQLite, whose queries run in the application's process)."""
    return figures["cpu_ms"] + figures.get("db_cpu_ms", 0)


def _growth(items: dict, name: str) -> float:
    return _cost(items[BIG][name]) / max(_cost(items[SMALL][name]), 0.01)


def _cost_rows(run: dict, part: str) -> list[str]:
    before = run.get("before")
    head = "| page |" if part == "results" else "| write path |"
    columns = " 2,000: ms | 2,000: CPU ms | 2,000: database CPU ms |"
    columns += " 100,000: ms | 100,000: CPU ms | 100,000: database CPU ms | 100,000 / 2,000 |"
    if part == "writes":
        columns += " queries |"
    if before:
        columns += " before: 2,000 CPU ms | before: 100,000 CPU ms | before: 100,000 / 2,000 |"
    lines = [head + columns, "| --- |" + " ---: |" * columns.count("|")]
    items = run[part]
    for name in items[SMALL]:
        small, big = items[SMALL][name], items[BIG][name]
        row = (
            f"| {name} | {small['median_ms']} | {small['cpu_ms']} | {small.get('db_cpu_ms', '')} "
            f"| {big['median_ms']} | {big['cpu_ms']} | {big.get('db_cpu_ms', '')} "
            f"| {_growth(items, name):.2f}× |"
        )
        if part == "writes":
            row += f" {small['queries']} / {big['queries']} |"
        if before:
            old = before[part]
            if name in old[SMALL]:
                row += (
                    f" {_cost(old[SMALL][name]):.2f} | {_cost(old[BIG][name]):.2f} "
                    f"| {_growth(old, name):.2f}× |"
                )
            else:
                row += " | | |"
        lines.append(row)
    return lines


def tables(runs: list[dict]) -> str:
    lines = [
        START,
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {_versions()}. The machine was "
        "shared with other work while this ran (load average "
        f"{os.getloadavg()[0]:.1f} at the end), so compare figures measured side by side "
        "in this run (2,000 against 100,000 answers, before against after) rather than "
        "with other runs; the CPU times are the steadier figures.",
        "",
    ]
    for run in runs:
        before = run.get("before")
        lines += [
            f"### {run['vendor']} {run['version']}: server cost per page",
            "",
            "Through Django's test client (the whole request: middleware, views, queries, "
            f"templates), {run['repeat']} requests per page and user, the two users' requests "
            f"in turn. Users with {run['small_answers']:,} and {run['answers']:,} graded "
            f"answers, {run['all_answers']:,} answers and {run['users']:,} users in all. "
            "ms: median wall time; CPU ms: median CPU time of the measuring process; "
            "database CPU ms: the PostgreSQL server process's CPU per request (a mean, the "
            "kernel counting in 10 ms ticks). 100,000 / 2,000 compares the server CPU "
            "(both together). Cold cache: emptied before each request."
            + (
                f" Before: {before['revision']} ({before['commit']}), measured in the same "
                "run on a copy of the same data, its server CPU (both together)."
                if before
                else ""
            )
            + f" Figures are the best of {ROUNDS} rounds.",
            "",
            *_cost_rows(run, "results"),
            "",
            f"### {run['vendor']} {run['version']}: write paths",
            "",
            "Server time of one request and its queries, on a fresh interview rolled back "
            "afterwards (the grade is a first grade, then it is changed).",
            "",
            *_cost_rows(run, "writes"),
            "",
            f"### {run['vendor']} {run['version']}: requests per second under gunicorn "
            "(for information)",
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
        if "decks" in run:
            lines += [
                "",
                f"### {run['vendor']} {run['version']}: a user with {run['decks']['decks']} decks",
                "",
                f"{run['decks']['decks']} decks of {run['decks']['questions_per_deck']} "
                "questions, 20 tags of their own, in a database of their own; through the "
                f"test client, {run['decks']['repeat']} requests per page, each right after "
                "the bank list of a user with no deck of their own (the baseline: the bank "
                "list's cost before decks). Ratio: the page's server CPU against the "
                "baseline's. My decks is shown for information (it counts each deck's "
                "questions).",
                "",
                decks.table(run["decks"]),
            ]
        lines += ["", *verdicts(run), ""]
    lines.append(END)
    return "\n".join(lines)


def verdicts(run: dict) -> list[str]:
    said = []
    pages = run["results"]
    over = [
        f"{name} ({figures['cpu_ms']} ms)"
        for name, figures in pages[SMALL].items()
        if figures["cpu_ms"] > CPU_BUDGET_MS
    ]
    said.append(
        f"- Every page ≤ {CPU_BUDGET_MS} ms of CPU at 2,000 answers: "
        + ("met." if not over else "missed by " + ", ".join(over) + ".")
    )
    grown = [
        f"{name} ({_growth(items, name):.2f}×)"
        for part in ("results", "writes")
        for items in [run[part]]
        for name in items[SMALL]
        if _growth(items, name) > GROWTH_TARGET
    ]
    said.append(
        f"- Every page and write path at 100,000 answers within {GROWTH_TARGET}× of its "
        "server CPU at 2,000: " + ("met." if not grown else "missed by " + ", ".join(grown) + ".")
    )
    cold = pages[BIG]["dashboard, cold cache"]
    said.append(
        f"- Dashboard ≤ {DASHBOARD_TARGET_MS} ms cold at 100,000 answers: "
        f"{'met' if cold['median_ms'] <= DASHBOARD_TARGET_MS else 'missed'} "
        f"({cold['median_ms']} ms median, {_cost(cold):.1f} ms of server CPU)."
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
    if os.environ.get("BENCH_PAGES"):
        # Some pages only: their figures, side by side, without touching the report.
        print("\n".join(line for run in runs for line in _cost_rows(run, "results")))
        return
    text = tables(runs)
    write_report(text)
    print(text)


if __name__ == "__main__":
    main()
