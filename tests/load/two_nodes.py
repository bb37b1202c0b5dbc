"""Scale-out test: two web nodes behind a real load balancer, one of them killed mid-run.

    make scale-test        # or: .venv/bin/python -m tests.load.two_nodes

Two gunicorn instances started as `make serve` starts them (production settings, their own
processes and memory), behind HAProxy (round-robin, no stickiness, /readyz as its health
check), sharing PostgreSQL (a database of its own beside DATABASE_URL's), Redis
(INTERVIEWPREP_TEST_REDIS_URL, under a key prefix of this run) and an S3-compatible bucket
(moto's server). Then:

1. one candidate's interview alternates between the nodes request by request: sign-up, log-out,
   log-in, start, autosave, the spoken answer's chunks, submit, grade, summary, dashboard;
2. 20 candidates do the same through 3 questions each, and once half of their answers are
   acknowledged one node is killed with SIGKILL (its master and workers).

It passes when nothing acknowledged is missing or different in the database (answers, grades,
each spoken answer's acknowledged bytes, joined in the bucket or kept as pieces), every
candidate finishes, nothing is answered by the killed node after the kill, and no 5xx came
except for requests in flight on the killed node when it died. Everything listens on 127.0.0.1
only, on ports the system hands out; the run has a deadline; everything it started is stopped.
A missing HAProxy, Redis or PostgreSQL fails the run."""

import argparse
import contextlib
import itertools
import os
import random
import re
import secrets
import shutil
import signal
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
from pathlib import Path

import boto3
import psycopg
import redis

from tests.audio import cut, tone
from tests.load.interview_load import PASSWORD, _check_database, _prepare, _wait_until_ready
from tests.load.interview_load import Outcome as Acknowledged
from tests.two_servers import Browser, free_port

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "interviewprep-scale-test"
S3_KEYS = {"RECORDINGS_S3_ACCESS_KEY_ID": "scale-key", "RECORDINGS_S3_SECRET_ACCESS_KEY": "x"}
REQUEST_TIMEOUT = 60
RETRIES = 20
CHUNKS = 3
AUDIO_MS = 3000  # each spoken answer: a tone this long


@dataclass
class Sent:
    sent: float
    answered: float
    status: int
    path: str
    node: str  # the server HAProxy chose, from its X-Node header; "" when it answered itself


@dataclass
class Candidate(Browser):
    """One person's whole interview through the load balancer, each step repeated until the
    server acknowledges it, as a person would click again."""

    base_url: str = ""
    name: str = ""
    deadline: float = 0.0
    acknowledged: Acknowledged = field(default_factory=Acknowledged)
    # (interview pk, position) -> bytes of the spoken answer acknowledged, and chunks.
    audio: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    requests: list[Sent] = field(default_factory=list)
    finished: bool = False
    error: str = ""

    def __post_init__(self) -> None:
        super().__init__()

    def _send(self, request, timeout: float = REQUEST_TIMEOUT) -> tuple[int, str]:
        if time.monotonic() > self.deadline:
            raise TimeoutError("the run's deadline passed")
        sent = time.time()
        try:
            status, body = super()._send(request, timeout)
            node = self.last_headers.get("X-Node", "")
        except OSError as error:  # no answer at all
            status, body, node = 599, str(error), ""
        path = urllib.parse.urlsplit(request.full_url).path
        self.requests.append(Sent(sent, time.time(), status, path, node))
        return status, body

    def until(self, path: str, data: dict | None, ok: set[int], files=None) -> tuple[int, str]:
        for _ in range(RETRIES):
            if data is None:
                status, body = self.get(self.base_url, path)
            else:
                status, body = self.post(self.base_url, path, data, files)
            if status in ok:
                return status, body
            time.sleep(0.5)
        raise RuntimeError(f"{path} never succeeded; last status {status}")

    def location(self) -> str:
        return self.last_headers.get("Location", "")

    def think(self) -> None:
        time.sleep(random.uniform(0.05, 0.3))

    def run(self, questions: int, pieces: list[bytes]) -> None:
        self.until("/accounts/signup/", None, {200})
        status, page = self.until(
            "/accounts/signup/",
            {
                "username": self.name,
                "email": f"{self.name}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "time_zone": "Europe/London",
            },
            {200, 302},
        )
        if status == 200 and "already exists" not in page:
            raise RuntimeError("the sign-up form was refused")
        self.until("/accounts/logout/", {}, {302})
        self.until("/accounts/login/", None, {200})
        self.until("/accounts/login/", {"username": self.name, "password": PASSWORD}, {302})
        self.until("/interviews/new/", None, {200})
        self.until(
            "/interviews/new/",
            {"question_count": questions, "timing_mode": "suggested", "order": "random"},
            {302},
        )
        pk = int(re.search(r"/interviews/(\d+)/", self.location()).group(1))
        while True:
            self.think()
            status, page = self.until(f"/interviews/{pk}/", None, {200, 302})
            if status == 302:  # every question graded: on to the summary
                break
            position = int(re.search(rf"/interviews/{pk}/questions/(\d+)/answer/", page).group(1))
            step = f"/interviews/{pk}/questions/{position}/"
            text = f"Answer of {self.name} to question {position}: {secrets.token_hex(8)}"
            self.until(step + "draft/", {"answer": text[:20]}, {302})
            for sequence, piece in enumerate(pieces):
                self.until(
                    step + "recording/chunks/",
                    {"segment": 0, "sequence": sequence, "elapsed_ms": 1000 * (sequence + 1)},
                    {200},
                    files={"chunk": ("chunk.webm", piece)},
                )
                done_bytes, done_chunks = self.audio.get((pk, position), (0, 0))
                self.audio[(pk, position)] = (done_bytes + len(piece), done_chunks + 1)
            self.think()
            self.until(step + "answer/", {"answer": text}, {302})
            self.acknowledged.answers[(pk, position)] = text
            self.until(step, None, {200})
            rating, note = random.randint(1, 4), f"note {secrets.token_hex(4)}"
            self.until(step + "grade/", {"rating": rating, "note": note}, {302})
            self.acknowledged.grades[(pk, position)] = (rating, note)
        self.until(f"/interviews/{pk}/summary/", None, {200})
        self.until("/", None, {200})
        self.finished = True


HAPROXY = """\
global
    maxconn 1024
    log stderr format raw local0 info
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client {timeout}s
    timeout server {timeout}s
    # A node that refuses the connection (killed): try again, on the other node.
    retries 2
    option redispatch 1
    option forwardfor
frontend site
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # A busy node answers its probe only after the requests ahead of it in its backlog:
    # down is a refused connection or no answer for 10 s, not a slow one. A connection refused
    # to a request marks the node down at once, without waiting for the next probe.
    timeout check 10s
    default-server inter 1s fall 3 rise 2 observe layer4 error-limit 1 on-error mark-down
    # On HAProxy's own error pages too (a 502 for a node that died under a request).
    http-after-response set-header X-Node %[srv_name]
    server a 127.0.0.1:{port_a} check
    server b 127.0.0.1:{port_b} check
"""


def _database(base_url: str) -> tuple[str, str]:
    """A new database beside DATABASE_URL's on the same PostgreSQL: (its URL, the server's)."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(
            "make scale-test needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a database named name_two_nodes is made beside it, and removed after a pass)."
        )
    name = f"{parts.path.lstrip('/') or 'interviewprep'}_two_nodes"
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl(), server


def _node_env(database_url: str, redis_url: str, prefix: str, s3: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RECORDINGS_"))},
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "False",
        # One key for both nodes: each must read the other's cookies.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_HTTPS": "False",
        "DJANGO_EMAIL_CONSOLE": "True",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CACHE_URL": redis_url,
        "DJANGO_CACHE_KEY_PREFIX": prefix,
        # HAProxy appends the client's address to X-Forwarded-For.
        "DJANGO_BEHIND_PROXY": "True",
        "DJANGO_PROXY_COUNT": "1",
        # Every candidate comes from 127.0.0.1.
        "DJANGO_SIGN_UPS_PER_ADDRESS": "1000",
        "DJANGO_PASSWORD_CHECKS_PER_ADDRESS": "1000",
        "DJANGO_LOG_LEVEL": "WARNING",
        "RECORDINGS_S3_BUCKET": BUCKET,
        "RECORDINGS_S3_ENDPOINT_URL": s3,
        **S3_KEYS,
    }


def _check_recordings(database_url: str, s3: str, candidates: list[Candidate]) -> list[str]:
    """Every acknowledged byte of every spoken answer is kept: joined into a file in the bucket,
    or still as its pieces."""
    bucket = boto3.client(
        "s3", endpoint_url=s3, region_name="us-east-1",
        aws_access_key_id=S3_KEYS["RECORDINGS_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["RECORDINGS_S3_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    problems = []
    with psycopg.connect(database_url) as connection:
        for candidate in candidates:
            for (pk, position), (size, chunks) in candidate.audio.items():
                row = connection.execute(
                    "SELECT r.size_bytes, r.file, r.duration_ms,"
                    " (SELECT count(*) FROM interview_sessions_recordingchunk c"
                    "  WHERE c.recording_id = r.id)"
                    " FROM interview_sessions_recording r"
                    " JOIN interview_sessions_sessionquestion q ON q.id = r.item_id"
                    " WHERE q.interview_id = %s AND q.position = %s",
                    [pk, position],
                ).fetchone()
                if row is None:
                    problems.append(f"recording {pk}/{position}: missing, sent {size} B")
                    continue
                stored, file, duration_ms, pieces = row
                if file:
                    # Joined: the file is in the bucket, as long as the audio sent.
                    head = bucket.head_object(Bucket=BUCKET, Key=f"recordings/{file}")
                    if head["ContentLength"] <= 0 or (duration_ms or 0) < 0.95 * AUDIO_MS:
                        problems.append(f"recording {pk}/{position}: joined {duration_ms} ms")
                elif (stored, pieces) != (size, chunks):
                    problems.append(
                        f"recording {pk}/{position}: {pieces} pieces of {stored} B kept, "
                        f"{chunks} of {size} B acknowledged"
                    )
    return problems


def _start_node(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    # Its own process group, so that SIGKILL takes the master and its workers at once.
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "interviewprep.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--no-control-socket", "--access-logfile", "-",
        ],
        cwd=ROOT, env={**env, "PORT": str(port)}, stdout=log.open("w"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _alternates(nodes: list[str]) -> bool:
    return all(a != b for a, b in itertools.pairwise(nodes)) and set(nodes) == {"a", "b"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of answers, then kill")
    parser.add_argument("--deadline", type=float, default=240, help="seconds for the run")
    options = parser.parse_args()

    haproxy = shutil.which("haproxy")
    if haproxy is None:
        print("HAProxy is not installed (apt-get install haproxy).", file=sys.stderr)
        return 1
    redis_url = os.environ.get("INTERVIEWPREP_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        print(f"Redis is not reachable at {redis_url}: {error}", file=sys.stderr)
        return 1
    database_url, postgres_server = _database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/interviewprep")
    )

    folder = Path(tempfile.mkdtemp(prefix="interviewprep-two-nodes-"))
    run_id = secrets.token_hex(3)
    prefix = f"scale-test-{run_id}"
    processes: dict[str, subprocess.Popen] = {}
    passed = False
    try:
        s3_port = free_port()
        s3 = f"http://127.0.0.1:{s3_port}"
        processes["moto"] = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            stdout=(folder / "moto.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        env = _node_env(database_url, redis_url, prefix, s3)
        _prepare(env)
        _wait_until_ready_s3(s3)
        boto3.client(
            "s3", endpoint_url=s3, region_name="us-east-1",
            aws_access_key_id=S3_KEYS["RECORDINGS_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["RECORDINGS_S3_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=BUCKET)  # fmt: skip

        ports = {"a": free_port(), "b": free_port()}
        for name, port in ports.items():
            processes[name] = _start_node(env, port, options.workers, folder / f"node-{name}.log")
        for port in ports.values():
            _wait_until_ready(f"http://127.0.0.1:{port}")
        lb_port = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(
            HAPROXY.format(
                port=lb_port,
                port_a=ports["a"],
                port_b=ports["b"],
                timeout=REQUEST_TIMEOUT,
                workers=options.workers,
            )
        )
        processes["haproxy"] = subprocess.Popen(
            [haproxy, "-f", str(config), "-db"],
            stdout=(folder / "haproxy.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{lb_port}"
        _wait_until_ready(base_url)
        time.sleep(2.5)  # both nodes seen healthy by HAProxy (rise 2, every second)

        pieces = cut(tone(AUDIO_MS / 1000, "webm"), CHUNKS)
        deadline = time.monotonic() + options.deadline

        # 1. One candidate, alone: each request goes to the other node than the last.
        alone = Candidate(base_url=base_url, name=f"alone-{run_id}", deadline=deadline)
        alone.run(2, pieces)
        nodes = [sent.node for sent in alone.requests]
        alternated = _alternates(nodes)
        print(f"one candidate alone: {len(nodes)} requests, nodes in turn: {''.join(nodes)}")

        # 2. Many candidates at once; one node killed half-way.
        candidates = [
            Candidate(base_url=base_url, name=f"load-{run_id}-{n}", deadline=deadline)
            for n in range(options.users)
        ]

        def one(candidate: Candidate) -> None:
            try:
                candidate.run(options.questions, pieces)
            except Exception as error:  # reported below, never hidden
                candidate.error = f"{type(error).__name__}: {error}"

        threads = [threading.Thread(target=one, args=(c,)) for c in candidates]
        started = time.time()
        for thread in threads:
            thread.start()
        wanted = options.kill_at * options.users * options.questions
        while (
            sum(len(c.acknowledged.answers) for c in candidates) < wanted
            and any(thread.is_alive() for thread in threads)
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        answers_before = sum(len(c.acknowledged.answers) for c in candidates)
        killed_at = time.time()
        os.killpg(processes["a"].pid, signal.SIGKILL)
        processes["a"].wait()
        # Until its last worker is gone, the node's socket may still take a connection that
        # then dies with it: such a request too was in flight on the killed node.
        dead_at = _refused_since(ports["a"])
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 1))
        finished = time.time()

        requests = [sent for c in candidates for sent in c.requests]
        errors = [s for s in requests if s.status >= 500]
        in_flight = [
            s for s in errors if s.node == "a" and s.sent <= dead_at and s.answered >= killed_at
        ]
        unexcused = [s for s in errors if s not in in_flight]
        by_dead_node = [s for s in requests if s.node == "a" and s.sent > dead_at]
        problems = _check_database(database_url, [c.acknowledged for c in candidates])
        problems += _check_database(database_url, [alone.acknowledged])
        problems += _check_recordings(database_url, s3, [*candidates, alone])
        failures = [f"{c.name}: {c.error}" for c in [alone, *candidates] if c.error]
        unfinished = [c.name for c in candidates if not c.finished]
        after_kill = [s for s in requests if s.sent > killed_at]

        print(f"candidates: {options.users}, questions each: {options.questions}, "
              f"nodes: 2 x {options.workers} gunicorn workers behind HAProxy")  # fmt: skip
        print(f"run: {finished - started:.1f} s; node a killed (SIGKILL) at "
              f"{killed_at - started:.2f} s (gone at {dead_at - started:.2f} s), after "
              f"{answers_before} answers")  # fmt: skip
        codes: dict[int, int] = {}
        for sent in requests:
            codes[sent.status] = codes.get(sent.status, 0) + 1
        print(f"requests: {len(requests)} ({len(after_kill)} after the kill); statuses: "
              + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))  # fmt: skip
        served = {n: sum(s.node == n for s in requests) for n in ("a", "b")}
        print(f"answered by node a: {served['a']}, by node b: {served['b']}; "
              f"by node a after the kill: {len(by_dead_node)}")  # fmt: skip
        print(f"5xx: {len(errors)}, in flight on the killed node: {len(in_flight)}, "
              f"other: {len(unexcused)}")  # fmt: skip
        for sent in unexcused[:20]:
            print(f"  {sent.status} {sent.path} sent at {sent.sent - started:.2f} s, "
                  f"answered at {sent.answered - started:.2f} s by {sent.node or 'HAProxy'}")  # fmt: skip
        latencies = sorted(s.answered - s.sent for s in requests)
        if latencies:
            print(f"response time: median {latencies[len(latencies) // 2]:.2f} s, "
                  f"99th percentile {latencies[int(len(latencies) * 0.99)]:.2f} s")  # fmt: skip
        print(f"answers acknowledged: {sum(len(c.acknowledged.answers) for c in candidates)}, "
              f"grades: {sum(len(c.acknowledged.grades) for c in candidates)}, spoken answers: "
              f"{sum(len(c.audio) for c in candidates)}")  # fmt: skip
        print(f"candidates who finished: {options.users - len(unfinished)} of {options.users}")
        print(f"acknowledged but missing or different: {len(problems)}")
        for line in [*problems[:20], *failures[:20]]:
            print("  " + line)
        if not alternated:
            print("  the lone candidate's requests did not alternate between the nodes")
        passed = (
            alternated and not problems and not failures and not unfinished
            and not unexcused and not by_dead_node
        )  # fmt: skip
        print("PASSED" if passed else "FAILED")
        return 0 if passed else 1
    finally:
        for name, process in processes.items():
            if process.poll() is None:
                if name in ("a", "b"):  # the master and its workers
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(redis.RedisError):
            store = redis.Redis.from_url(redis_url)
            for key in store.scan_iter(f"{prefix}:*"):
                store.delete(key)
        if passed:
            with psycopg.connect(postgres_server, autocommit=True) as admin:
                name = urllib.parse.urlsplit(database_url).path.lstrip("/")
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"(logs kept in {folder}; database {database_url})", file=sys.stderr)


def _refused_since(port: int, limit: float = 10) -> float:
    """When a connection to the port was first refused (the node's socket is closed)."""
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return time.time()
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"port {port} still took connections {limit:.0f} s after the kill")


def _wait_until_ready_s3(endpoint: str, limit: float = 30) -> None:
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        try:
            urllib.request.urlopen(endpoint, timeout=2).close()
            return
        except urllib.error.HTTPError:  # it answers
            return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the S3 server never answered")


if __name__ == "__main__":
    sys.exit(main())
