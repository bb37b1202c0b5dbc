"""The cohort's load generator: requests sent on a fixed plan, each on a connection of its own
opened when the request is due, from several processes.

Why not wrk: wrk opens a connection, then waits for the request's time on it, and gunicorn's
sync workers (`make serve`) each block on an accepted connection until its request arrives;
a few hundred idle connections held every worker, and the latencies measured that, not the
site. A browser opens (or reuses) a connection when it has something to send; this does so
too, one request per connection (the sync workers close each one anyway).

Each process runs an asyncio loop over its share of the plan and returns what it saw: the
latency of each request from its planned time to its last byte (so a late start counts),
how late it left, its status, errors, and the process's own CPU time."""

import asyncio
import multiprocessing
import resource
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

TIMEOUT_S = 10


@dataclass(frozen=True)
class Step:
    at_ms: float  # after the start
    kind: str  # "start", "answer step", "autosave", "submit"
    method: str
    path: str
    session: str
    token: str
    body: str = ""
    htmx: bool = False


@dataclass
class Seen:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    late_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    cpu_s: float = 0.0

    def error(self, name: str) -> None:
        self.errors[name] = self.errors.get(name, 0) + 1


def _request(step: Step, host: str) -> bytes:
    body = step.body.encode()
    headers = [
        f"{step.method} {step.path} HTTP/1.1",
        f"Host: {host}",
        f"Cookie: sessionid={step.session}; csrftoken={step.token}",
        f"X-CSRFToken: {step.token}",
        "Connection: close",
    ]
    if step.htmx:
        headers.append("HX-Request: true")
    if step.method == "POST":
        headers += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


async def _one(step: Step, url, start: float, seen: Seen) -> None:
    due = start + step.at_ms / 1000
    await asyncio.sleep(max(0.0, due - time.monotonic()))
    seen.late_ms.append((time.monotonic() - due) * 1000)
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(url.hostname, url.port), TIMEOUT_S
        )
    except (OSError, TimeoutError):
        seen.error("connect")
        return
    try:
        writer.write(_request(step, url.netloc))
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), TIMEOUT_S)
    except TimeoutError:
        seen.error("timeout")
        return
    except OSError:
        seen.error("read")
        return
    finally:
        writer.close()
    seen.latencies.setdefault(step.kind, []).append((time.monotonic() - due) * 1000)
    head, _, body = response.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if not 200 <= status < 400:
        seen.error(f"status {status}")
    elif step.kind == "autosave" and b"Saved at" not in body:
        seen.error("draft refused")


async def _run(steps: list[Step], target: str, start_wall: float) -> Seen:
    seen = Seen()
    url = urlparse(target)
    # The processes agree on the start by the wall clock, then each keeps time on its own
    # monotonic clock.
    start = time.monotonic() + (start_wall - time.time())
    await asyncio.gather(*(_one(step, url, start, seen) for step in steps))
    return seen


def _process(steps: list[Step], target: str, start_wall: float) -> Seen:
    seen = asyncio.run(_run(steps, target, start_wall))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    seen.cpu_s = usage.ru_utime + usage.ru_stime
    return seen


def drive(steps: list[Step], target: str, processes: int) -> tuple[Seen, float]:
    """Send the plan from `processes` processes; what they saw, merged, and the wall time."""
    shares = [steps[number::processes] for number in range(processes)]
    start_wall = time.time() + 1.0  # time for the processes to start
    began = time.monotonic()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        seen_each = pool.starmap(_process, [(share, target, start_wall) for share in shares])
    merged = Seen()
    for seen in seen_each:
        for kind, values in seen.latencies.items():
            merged.latencies.setdefault(kind, []).extend(values)
        merged.late_ms += seen.late_ms
        for name, count in seen.errors.items():
            merged.errors[name] = merged.errors.get(name, 0) + count
        merged.cpu_s += seen.cpu_s
    return merged, time.monotonic() - began
