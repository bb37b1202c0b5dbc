"""`make run` starts a task worker beside the development server, and Ctrl+C (SIGINT to the
terminal's process group) stops both."""

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent


def processes_in_group(group: int) -> list[str]:
    listed = subprocess.run(
        ["ps", "-o", "stat=,args=", "-g", str(group)], capture_output=True, text=True
    ).stdout.splitlines()
    return [line.split(None, 1)[1] for line in listed if not line.startswith("Z")]


def test_ctrl_c_stops_the_server_and_its_worker(tmp_path):
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}

    def as_in_a_terminal() -> None:
        os.setsid()  # a process group of its own, as a terminal gives a command
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    make = subprocess.Popen(
        # -o: the virtual environment counts as installed, so nothing is installed here.
        ["make", "-o", ".venv/.installed", "run", f"PORT={port}"],
        cwd=ROOT,
        env={**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"},
        preexec_fn=as_in_a_terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        running = processes_in_group(make.pid)
        assert any("runserver" in line for line in running), running
        assert any("run_worker" in line for line in running), running

        os.killpg(make.pid, signal.SIGINT)
        make.communicate(timeout=60)

        deadline = time.monotonic() + 30
        while processes_in_group(make.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert processes_in_group(make.pid) == []
    finally:
        if make.poll() is None or processes_in_group(make.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(make.pid, signal.SIGKILL)
            make.communicate(timeout=30)
