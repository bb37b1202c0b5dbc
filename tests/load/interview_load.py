"""Load test: concurrent users through whole mock interviews on gunicorn and a PostgreSQL of
its own, which is restarted in the middle of the run.

    .venv/bin/python -m tests.load.interview_load            # 24 users, 5 questions each
    .venv/bin/python -m tests.load.interview_load --users 20 --workers 3 --record \
        --crafted 1 --no-restart                             # spoken answers, one crafted

It starts a private PostgreSQL cluster (initdb in a temporary folder, on a free port),
migrates and seeds a database there, runs gunicorn as `make serve` does (on 127.0.0.1 only,
a free port), sends the users through sign-up, a new interview, a draft, an answer and a
grade per question and the summary, stops PostgreSQL for a few seconds once the run is under
way (unless --no-restart), and then checks every acknowledged answer and grade against the
database. With --record each answer is also spoken: a few seconds of Opus sent in chunks as
the page sends them, and checked afterwards as one joined file of the right length; with
--crafted N, N of the users instead send, for their first answer, 20 MB of Opus packets all
at one timestamp (the upload that once stalled every worker joining it). Task workers
(--task-workers, as WORKERS in `make serve`) join the answers. It passes when
nothing acknowledged is missing or different, no 5xx was answered outside the restart
window, and no gunicorn worker timed out. Everything is bounded: a fixed number of users and
requests, a timeout per request and a deadline for the whole run; everything it started is
stopped at the end."""

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

from tests.private_postgres import PrivatePostgres

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-load-test-passphrase"
REQUEST_TIMEOUT = 120  # seconds, per request: a browser waits at least this long
RETRIES = 20  # per step: a user whose click failed tries again, as a person would
RETRY_PAUSE = 1.0  # seconds
SPOKEN_SECONDS = 6  # each spoken answer: three chunks of two seconds, as the page sends them
CRAFTED_PACKETS = 2_200_000  # three-byte packets at one timestamp: about 20 MB of WebM
# After PostgreSQL is back, each worker's next request notices its dead connection and
# reconnects; requests already under way when it stopped may still fail a moment later.
WINDOW_SLACK = 5.0  # seconds either side of the outage


@dataclass
class Outcome:
    """What one user saw, and what the server acknowledged to them."""

    # (when it was answered, status, path, seconds it took, what went wrong if no answer came)
    statuses: list[tuple[float, int, str, float, str]] = field(default_factory=list)
    # (interview pk, position) -> the answer text, and the rating and note, once acknowledged
    answers: dict[tuple[int, int], str] = field(default_factory=dict)
    grades: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict)
    # (interview pk, position) -> seconds spoken, for each answer whose chunks were all kept
    spoken: dict[tuple[int, int], float] = field(default_factory=dict)
    crafted: bool = False
    finished: bool = False
    error: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class User:
    def __init__(
        self,
        base_url: str,
        name: str,
        deadline: float,
        outcome: Outcome,
        speech: list[bytes] | None = None,
        crafted: list[bytes] | None = None,
    ) -> None:
        self.base_url = base_url
        self.name = name
        self.deadline = deadline
        self.outcome = outcome
        # The chunks of each spoken answer, and of the crafted one (first answer only).
        self.speech = speech
        self.crafted = crafted
        outcome.crafted = crafted is not None
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(
        self, path: str, data: dict | None = None, audio: bytes | None = None
    ) -> tuple[int, str, str]:
        """One request; returns status, Location and body. Connection errors count as 599.
        With `audio`, a multipart upload of it with `data`, as the page's fetch sends it."""
        if time.monotonic() > self.deadline:
            raise TimeoutError("the run's deadline passed")
        body, headers = None, {}
        if audio is not None:
            boundary = secrets.token_hex(16)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
                for name, value in (data or {}).items()
            ]
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="chunk"; '
                f'filename="chunk"\r\nContent-Type: audio/webm\r\n\r\n'.encode()
                + audio
                + f"\r\n--{boundary}--\r\n".encode()
            )
            body = b"".join(parts)
            headers = {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": self._csrf(),
            }
        elif data is not None:
            body = urllib.parse.urlencode(
                {**data, "csrfmiddlewaretoken": self._csrf()}, doseq=True
            ).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        sent = time.monotonic()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                status, location, text = response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            status = error.code
            location = error.headers.get("Location", "")
            text = error.read().decode(errors="replace")
        except OSError as error:
            status, location, text = 599, "", str(error)
        took = time.monotonic() - sent
        failure = text if status == 599 else ""
        self.outcome.statuses.append((time.time(), status, path, took, failure))
        return status, location, text

    def until(
        self, path: str, data: dict | None, ok: set[int], audio: bytes | None = None
    ) -> tuple[int, str, str]:
        """Repeat a step until the server answers it with a status in `ok`."""
        for _ in range(RETRIES):
            status, location, text = self.request(path, data, audio)
            if status in ok:
                return status, location, text
            time.sleep(RETRY_PAUSE)
        raise RuntimeError(f"{path} never succeeded; last status {status}")

    def think(self) -> None:
        time.sleep(random.uniform(0.1, 0.5))

    def sign_up(self) -> None:
        self.until("/accounts/signup/", None, {200})
        details = {
            "username": self.name,
            "email": f"{self.name}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": "Europe/London",
        }
        status, _, page = self.until("/accounts/signup/", details, {200, 302})
        if status == 200 and "already exists" in page:
            # An earlier try made the account, and then failed: log in, as a person would.
            self.until("/accounts/login/", None, {200})
            credentials = {"username": self.name, "password": PASSWORD}
            self.until("/accounts/login/", credentials, {302})
        elif status == 200:
            raise RuntimeError("the sign-up form was refused")

    def run(self, questions: int) -> None:
        self.sign_up()
        self.until("/interviews/new/", None, {200})
        _, location, _ = self.until(
            "/interviews/new/",
            {"question_count": questions, "timing_mode": "suggested", "order": "random"},
            {302},
        )
        pk = int(re.search(r"/interviews/(\d+)/", location).group(1))
        while True:
            self.think()
            status, location, page = self.until(f"/interviews/{pk}/", None, {200, 302})
            if status == 302:  # every question graded: on to the summary
                break
            position = int(re.search(rf"/interviews/{pk}/questions/(\d+)/answer/", page).group(1))
            step = f"/interviews/{pk}/questions/{position}/"
            text = f"Answer of {self.name} to question {position}: {secrets.token_hex(8)}"
            self.until(step + "draft/", {"answer": text[:20]}, {302})
            self.speak(pk, position, step)
            self.think()
            self.until(step + "answer/", {"answer": text}, {302})
            self.outcome.answers[(pk, position)] = text
            self.think()
            self.until(step, None, {200})
            rating = random.randint(1, 4)
            note = f"note {secrets.token_hex(4)}"
            self.until(step + "grade/", {"rating": rating, "note": note}, {302})
            self.outcome.grades[(pk, position)] = (rating, note)
        self.until(f"/interviews/{pk}/summary/", None, {200})
        self.outcome.finished = True

    def speak(self, pk: int, position: int, step: str) -> None:
        """Send the answer's recording in chunks, each acknowledged before the next."""
        crafted = self.crafted is not None and not self.outcome.spoken
        chunks = self.crafted if crafted else self.speech
        if chunks is None:
            return
        for sequence, chunk in enumerate(chunks):
            # The page's count of what it recorded; the crafted upload claims two seconds.
            elapsed_ms = 2000 if crafted else 2000 * (sequence + 1)
            fields = {"segment": 0, "sequence": sequence, "elapsed_ms": elapsed_ms}
            self.until(step + "recording/chunks/", fields, {200}, audio=chunk)
        self.outcome.spoken[(pk, position)] = 0.0 if crafted else SPOKEN_SECONDS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _speech() -> tuple[list[bytes], list[bytes]]:
    """A spoken answer's chunks, and the crafted upload's (under 1 MB each, as a chunk must
    be), made with PyAV as the recording tests make theirs."""
    from tests.audio import crafted_webm, cut, tone

    crafted = crafted_webm([0] * CRAFTED_PACKETS)
    return cut(tone(SPOKEN_SECONDS), 3), cut(crafted, -(-len(crafted) // 990_000))


def _server_env(database_url: str, port: int, recordings: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RECORDINGS_"))},
        "RECORDINGS_DIR": recordings,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_HTTPS": "False",
        "DJANGO_EMAIL_CONSOLE": "True",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # All the users come from 127.0.0.1.
        "DJANGO_SIGN_UPS_PER_ADDRESS": "1000",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PORT": str(port),
    }


def _prepare(env: dict[str, str]) -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (
        ["collectstatic", "--no-input", "--verbosity", "0"],
        ["migrate", "--no-input", "--verbosity", "0"],
        ["seed_questions"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)


def _wait_until_ready(base_url: str, limit: float = 60) -> None:
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server never became ready")


def _watch_readiness(base_url: str, stop: threading.Event, seen: list[tuple[float, int]]) -> None:
    """What a load balancer would see: /readyz, half a second after each answer."""
    while not stop.is_set():
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 599
        seen.append((time.time(), status))
        stop.wait(0.5)


def _wait_for_joins(database_url: str, limit: float) -> None:
    """Until the task workers have joined (or failed to join) every final answer's pieces."""
    stop = time.monotonic() + limit
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() < stop:
            waiting = connection.execute(
                "SELECT count(*) FROM interview_sessions_recording r"
                " JOIN interview_sessions_sessionquestion q ON q.id = r.item_id"
                " WHERE r.file = '' AND r.assembled_at IS NULL AND q.submitted_at IS NOT NULL"
            ).fetchone()[0]
            if not waiting:
                return
            time.sleep(1)


def _check_database(database_url: str, outcomes: list[Outcome]) -> list[str]:
    """Every acknowledged answer and grade, as stored; every spoken answer joined into one
    file of its length (the crafted one: joined or failed, never left half-way)."""
    problems = []
    with psycopg.connect(database_url) as connection:
        for outcome in outcomes:
            for (pk, position), seconds in outcome.spoken.items():
                row = connection.execute(
                    "SELECT r.file, r.duration_ms, r.assembled_at IS NOT NULL"
                    " FROM interview_sessions_recording r"
                    " JOIN interview_sessions_sessionquestion q ON q.id = r.item_id"
                    " WHERE q.interview_id = %s AND q.position = %s",
                    [pk, position],
                ).fetchone()
                if outcome.crafted and seconds == 0.0:
                    if row is None or not (row[0] or row[2]):
                        problems.append(f"crafted recording {pk}/{position}: stored {row!r}")
                elif row is None or not row[0] or abs(row[1] - seconds * 1000) > 200:
                    problems.append(f"recording {pk}/{position}: stored {row!r}, sent {seconds} s")
            for (pk, position), text in outcome.answers.items():
                row = connection.execute(
                    "SELECT answer_text, self_rating, note, submitted_at IS NOT NULL"
                    " FROM interview_sessions_sessionquestion"
                    " WHERE interview_id = %s AND position = %s",
                    [pk, position],
                ).fetchone()
                if row is None or row[0] != text or not row[3]:
                    problems.append(f"answer {pk}/{position}: stored {row!r}, sent {text!r}")
                    continue
                grade = outcome.grades.get((pk, position))
                if grade is not None and (row[1], row[2]) != grade:
                    problems.append(f"grade {pk}/{position}: stored {row[1:3]!r}, sent {grade!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--postgres-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--record", action="store_true", help="speak every answer too")
    parser.add_argument(
        "--crafted", type=int, default=0, help="users whose first answer is a crafted upload"
    )
    parser.add_argument("--no-restart", action="store_true", help="leave PostgreSQL running")
    parser.add_argument("--task-workers", type=int, default=1, help="as WORKERS in make serve")
    parser.add_argument(
        "--restart-at",
        type=float,
        default=0.5,
        help="share of all answers acknowledged when PostgreSQL is stopped",
    )
    parser.add_argument("--down-for", type=float, default=5, help="seconds PostgreSQL is off")
    parser.add_argument("--deadline", type=float, default=600, help="seconds for the whole run")
    options = parser.parse_args()

    options.port = options.port or _free_port()
    base_url = f"http://127.0.0.1:{options.port}"
    postgres = PrivatePostgres(options.postgres_port or _free_port(), durable=True)
    speech, crafted = _speech() if options.record or options.crafted else (None, None)
    recordings = tempfile.mkdtemp(prefix="interviewprep-load-recordings-")
    server = None
    task_workers: list[subprocess.Popen] = []
    try:
        postgres.init()
        postgres.start()
        postgres.create_database("interviewprep_load")
        database_url = postgres.url("interviewprep_load")
        env = _server_env(database_url, options.port, recordings)
        _prepare(env)
        server_log = open(postgres.directory / "gunicorn.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"), "interviewprep.wsgi",
                "--bind", f"127.0.0.1:{options.port}", "--workers", str(options.workers),
                "--no-control-socket", "--access-logfile", "-",
            ],
            cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        # The task workers, as `make serve` starts them: they join the spoken answers.
        task_workers = [
            subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "run_worker"],
                cwd=ROOT,
                env=env,
                stdout=server_log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(options.task_workers)
        ]
        _wait_until_ready(base_url)

        deadline = time.monotonic() + options.deadline
        run_id = secrets.token_hex(3)
        outcomes = [Outcome() for _ in range(options.users)]

        def one_user(number: int) -> None:
            name = f"load-{run_id}-{number}"
            try:
                User(
                    base_url,
                    name,
                    deadline,
                    outcomes[number],
                    speech=speech if options.record else None,
                    crafted=crafted if number < options.crafted else None,
                ).run(options.questions)
            except Exception as error:  # reported below, never hidden
                outcomes[number].error = f"{type(error).__name__}: {error}"

        threads = [threading.Thread(target=one_user, args=(n,)) for n in range(options.users)]
        readiness: list[tuple[float, int]] = []
        stop_watching = threading.Event()
        watcher = threading.Thread(
            target=_watch_readiness, args=(base_url, stop_watching, readiness)
        )
        watcher.start()
        started = time.time()
        for thread in threads:
            thread.start()
        wanted = options.restart_at * options.users * options.questions
        while (
            sum(len(o.answers) for o in outcomes) < wanted
            and any(thread.is_alive() for thread in threads)
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        acknowledged_before = sum(len(o.answers) for o in outcomes)
        outage_start = time.time()
        if options.no_restart:
            outage_end = outage_start - 2 * WINDOW_SLACK  # no window
        else:
            postgres.stop()
            time.sleep(options.down_for)
            postgres.start()
            outage_end = time.time()
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 1))
        finished = time.time()
        stop_watching.set()
        watcher.join()

        statuses = [s for o in outcomes for s in o.statuses]
        server_errors = [s for s in statuses if s[1] >= 500]
        outside = [
            s
            for s in server_errors
            if not outage_start - WINDOW_SLACK <= s[0] <= outage_end + WINDOW_SLACK
        ]
        _wait_for_joins(database_url, limit=60)
        problems = _check_database(database_url, outcomes)
        errors = [f"user {n}: {o.error}" for n, o in enumerate(outcomes) if o.error]
        answers = sum(len(o.answers) for o in outcomes)
        grades = sum(len(o.grades) for o in outcomes)

        print(f"users: {options.users}, questions each: {options.questions}, "
              f"gunicorn workers: {options.workers}")  # fmt: skip
        if options.no_restart:
            print(f"run: {finished - started:.1f} s; PostgreSQL left running")
        else:
            print(f"run: {finished - started:.1f} s; PostgreSQL stopped at "
                  f"{outage_start - started:.1f} s for {outage_end - outage_start:.1f} s "
                  f"(restart window counted with {WINDOW_SLACK:.0f} s either side)")  # fmt: skip
        print(f"requests: {len(statuses)}; answers acknowledged: {answers} "
              f"({acknowledged_before} before the restart point); grades acknowledged: {grades}")  # fmt: skip
        print(f"users who finished: {sum(o.finished for o in outcomes)} of {options.users}")
        codes: dict[int, int] = {}
        for _, status, *_ in statuses:
            codes[status] = codes.get(status, 0) + 1
        print("statuses: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
        print(f"5xx (599 = no connection): {len(server_errors)}, "
              f"outside the restart window: {len(outside)}")  # fmt: skip
        for moment, status, path, took, failure in outside[:20]:
            print(f"  {status} {path} at {moment - started:.1f} s after {took:.1f} s {failure}")
        # The users' steps never ask for a 4xx: say when and where each one came.
        for moment, status, path, took, _ in statuses:
            if 400 <= status < 500:
                print(f"  {status} {path} at {moment - started:.1f} s after {took:.1f} s")
        latencies = sorted(took for _, _, _, took, _ in statuses)
        print(
            f"response time: median {latencies[len(latencies) // 2]:.2f} s, 95th percentile "
            f"{latencies[int(len(latencies) * 0.95)]:.2f} s, slowest {latencies[-1]:.2f} s"
        )
        # The other users' interview steps: sign-up and log-in (Argon2id, all at once at the
        # start) are left out, as they measure the password hash rather than the site.
        others = sorted(
            took
            for o in outcomes
            if not o.crafted
            for _, _, path, took, _ in o.statuses
            if not path.startswith("/accounts/")
        )
        print(
            f"users without a crafted upload, interview steps: {len(others)} requests, median "
            f"{others[len(others) // 2]:.3f} s, 99th percentile "
            f"{others[int(len(others) * 0.99)]:.3f} s, slowest {others[-1]:.3f} s"
        )
        for o in outcomes:
            if o.crafted:
                chunks = [took for _, _, path, took, _ in o.statuses if "/recording/" in path]
                submits = [took for _, _, path, took, _ in o.statuses if path.endswith("/answer/")]
                print(
                    f"crafted upload: {len(chunks)} chunk requests, slowest "
                    f"{max(chunks, default=0):.2f} s; its first submit "
                    + (f"took {submits[0]:.2f} s" if submits else "was never sent")
                )
        spoken = sum(len(o.spoken) for o in outcomes)
        print(f"spoken answers acknowledged: {spoken} ({options.crafted} crafted)")
        server_log.flush()
        timeouts = (postgres.directory / "gunicorn.log").read_text().count("WORKER TIMEOUT")
        print(f"gunicorn worker timeouts: {timeouts}")
        print(f"/readyz probes: {len(readiness)}, each 0.5 s after the previous one answered")
        for code in sorted({status for _, status in readiness} - {200}):
            moments = [moment - started for moment, status in readiness if status == code]
            print(f"  {code} ({'no answer within 10 s' if code == 599 else 'not ready'}): "
                  f"{len(moments)}, at " + ", ".join(f"{m:.1f}" for m in moments) + " s")  # fmt: skip
        print(f"acknowledged but missing or different in the database: {len(problems)}")
        for problem in problems[:20]:
            print("  " + problem)
        for error in errors[:20]:
            print("  " + error)
        passed = not outside and not problems and not errors and not timeouts
        print("PASSED" if passed else "FAILED")
        if passed:
            postgres.stop()
            postgres.remove()
        return 0 if passed else 1
    finally:
        for worker in task_workers:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=30)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                # A worker stuck in a request (a join past the timeout, say) holds it up.
                server.kill()
                server.wait(timeout=30)
        with contextlib.suppress(RuntimeError):
            postgres.stop()
        if postgres.directory.exists():
            print(f"(logs kept in {postgres.directory})", file=sys.stderr)
        shutil.rmtree(recordings, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
