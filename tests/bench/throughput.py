"""Requests per second under gunicorn, as `make serve` runs the site, measured with wrk.

Each page is loaded right after /healthz, alternating, so that both see the same share of a
machine others may be using; a page's figure is its best of the rounds, and its share is
that against the best /healthz run next to it."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = 0  # a free port, chosen when the server starts
WORKERS = 2
CONNECTIONS = 32
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = 2
WRK = shutil.which("wrk") or "/usr/bin/wrk"

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
# The measuring process signs the session with this key too, so the server accepts it.
SECRET_KEY = "benchmark-only-secret-key-not-for-any-deployment"


def server_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_HTTPS": "False",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_CONSOLE": "True",  # no mail is sent while loading pages
        "DJANGO_SETTINGS_MODULE": "interviewprep.settings",
    }


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(path: str, session: str) -> dict:
    """One run; repeated once if nothing completed (wrk on a busy machine sometimes
    reports 0 requests for a whole run)."""
    for _ in range(2):
        figures = _wrk_once(path, session)
        if figures["rps"] > 0:
            break
    return figures


def _wrk_once(path: str, session: str) -> dict:
    result = subprocess.run(
        [
            WRK,
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: sessionid={session}",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{path} answered with errors under load:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p99_ms": _milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1)),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _check_logged_in(path: str, session: str) -> None:
    """wrk counts a redirect as a success: make sure the page itself answers."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{path} answered {status} under gunicorn instead of the page.")


def _wait_until_up(process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting; see its output above.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 20 seconds.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(database_url: str, users: dict[str, dict]) -> dict:
    """{user: {page: {rps, p99_ms, healthz_rps, share}}} for each user's session and pages."""
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does it).")
    global PORT
    PORT = _free_port()
    environment = server_environment(database_url)
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
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            # As `make serve`: no control socket, which two servers on one host would share.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=environment,
    )
    try:
        _wait_until_up(server)
        results: dict[str, dict] = {}
        for user, load in users.items():
            for path in load["pages"].values():
                _check_logged_in(path, load["session"])
            best: dict[str, dict] = {}
            for _ in range(ROUNDS):
                for name, path in load["pages"].items():
                    baseline = wrk("/healthz", load["session"])
                    page = wrk(path, load["session"])
                    kept = best.get(name)
                    if kept is None or page["rps"] > kept["rps"]:
                        kept = best[name] = {**page, "path": path}
                    kept["healthz_rps"] = max(kept.get("healthz_rps", 0), baseline["rps"])
                    kept["healthz_p99_ms"] = baseline["p99_ms"]
            for figures in best.values():
                figures["share"] = round(figures["rps"] / max(figures["healthz_rps"], 1), 2)
            results[user] = best
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
