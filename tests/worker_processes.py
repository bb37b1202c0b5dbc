"""Real task-worker processes (`manage.py run_worker`) against a real database: the test
database itself on PostgreSQL, a database file of the test's own on SQLite (the tests'
SQLite database lives in memory, where no other process can reach it)."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class WorkerDatabase:
    url: str
    env: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str, timeout: float = 120) -> str:
        """Run a management command against this database; its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python with Django set up (`manage.py shell -c`); what it prints."""
        return self.manage("shell", "--no-imports", "-c", code)

    def start_worker(self, *args: str) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                *args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> list[str]:
        """Ctrl+C for each worker (they finish their task and exit); their output."""
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
        outputs = []
        for worker in self.workers:
            try:
                output, _ = worker.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                output, _ = worker.communicate()
            outputs.append(output)
        self.workers.clear()
        return outputs


def worker_database(tmp_path: Path, **env: str) -> WorkerDatabase:
    """The database under test as a URL for other processes, with production settings (the
    database task backend) and `env` on top."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        url = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}"
        )
    else:
        url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    database = WorkerDatabase(
        url,
        {
            **base,
            "DJANGO_SETTINGS_MODULE": "interviewprep.settings",
            "DATABASE_URL": url,
            "DJANGO_SECRET_KEY": "worker-test-only-secret-key",
            "DJANGO_DEBUG": "False",
            "DJANGO_HTTPS": "False",
            "DJANGO_EMAIL_CONSOLE": "True",
            "RECORDINGS_DIR": str(tmp_path / "recordings"),
            **env,
        },
    )
    if connection.vendor != "postgresql":
        database.manage("migrate", "--no-input")
        database.manage("seed_questions")
    return database


def wait_for(condition, timeout: float = 60, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
