"""Two server processes on one database of their own, for the tests of state that must be
true on every worker and node: gunicorn with one worker each, as `make serve` runs it, each
with the cache of its own process (no DJANGO_CACHE_URL). The database is a copy of the test
suite's kind (an SQLite file, or a PostgreSQL database beside the test database), migrated
and seeded, and removed afterwards. Only 127.0.0.1, on ports the system hands out."""

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "an-admin-passphrase-for-two-servers"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies, sent to whichever server each request names. The cookies are a
    plain dict, so that a test can send one the server asked to delete."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.last_headers = None
        self.opener = urllib.request.build_opener(_NoRedirects())

    def get(self, server: str, path: str) -> tuple[int, str]:
        return self._send(urllib.request.Request(server + path))

    def post(self, server: str, path: str, data: dict, files: dict | None = None):
        """A form; `files` maps a field to (file name, bytes) and makes it multipart."""
        fields = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        if not files:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            return self._send(urllib.request.Request(server + path, data=body))
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            .encode()
            for name, value in fields.items()
        ]  # fmt: skip
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(server + path, data=body)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._send(request)

    def _send(self, request: urllib.request.Request, timeout: float = 30) -> tuple[int, str]:
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        self.last_headers = headers
        for header in headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";")[0].partition("=")
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return status, body.decode(errors="replace")

    def log_in(self, server: str, username: str, password: str) -> int:
        self.get(server, "/accounts/login/")
        status, _ = self.post(
            server, "/accounts/login/", {"username": username, "password": password}
        )
        return status


class TwoServers:
    """Start with `start()`, stop with `stop()`; `a` and `b` are the servers' base URLs."""

    def __init__(self, **settings: str) -> None:
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="interviewprep-two-servers-"))
        self.processes: list[subprocess.Popen] = []
        self.postgres_database = ""
        self.a = self.b = ""

    def _database_url(self) -> str:
        if connection.vendor != "postgresql":
            return f"sqlite:///{self.folder / 'db.sqlite3'}"
        # Beside the test database, on the same server: test_ip_x_servers.
        params = connection.get_connection_params()
        self.postgres_database = f"{connection.settings_dict['NAME']}_servers"
        admin_url = self._postgres_url(params, "postgres")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.postgres_database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.postgres_database}"')
        return self._postgres_url(params, self.postgres_database)

    @staticmethod
    def _postgres_url(params: dict, database: str) -> str:
        user = urllib.parse.quote(params.get("user") or "postgres")
        password = params.get("password")
        credentials = f"{user}:{urllib.parse.quote(password)}" if password else user
        host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
        return f"postgres://{credentials}@{host}:{port}/{database}"

    def _env(self, database_url: str) -> dict[str, str]:
        # No DJANGO_CACHE_URL: each process keeps its own cache, as without Redis.
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RECORD"))}
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "interviewprep.settings_test",
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
            "RECORDINGS_DIR": str(self.folder / "recordings"),
            **self.settings,
        }

    def start(self) -> None:
        env = self._env(self._database_url())
        python = sys.executable
        for command in (
            ["migrate", "--no-input", "--verbosity", "0"],
            ["seed_questions"],
            ["createsuperuser", "--no-input", "--username", "admin", "--email", "a@example.com"],
        ):
            subprocess.run(
                [python, "manage.py", *command], cwd=ROOT, env=env, check=True,
                capture_output=True, timeout=120,
            )  # fmt: skip
        urls = []
        for name in ("a", "b"):
            port = free_port()
            log = open(self.folder / f"gunicorn-{name}.log", "w")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    [
                        str(Path(python).parent / "gunicorn"), "interviewprep.wsgi",
                        "--bind", f"127.0.0.1:{port}", "--workers", "1",
                        "--no-control-socket",
                    ],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
            urls.append(f"http://127.0.0.1:{port}")
        self.a, self.b = urls
        for url in urls:
            _wait_until_ready(url)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.postgres_database:
            params = connection.get_connection_params()
            with psycopg.connect(self._postgres_url(params, "postgres"), autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.postgres_database}" WITH (FORCE)')

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log"))
        )


def _wait_until_ready(base_url: str, limit: float = 60) -> None:
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url} never became ready")


def bank_file() -> bytes:
    """The seeded bank with one prompt changed, as an import file."""
    data = json.loads((ROOT / "fixtures" / "questions.json").read_text())
    data["questions"][0]["prompt"] = "Which problem does machine learning solve, in one line?"
    return json.dumps(data).encode()
