"""The CPU cost of checking one password (what one log-in attempt costs the server), for
PBKDF2 (Django's default) and Argon2id (ours): `python -m tests.bench.password_hashing`.
CPU time, not wall time, so that other load on the machine does not blur it."""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")

import django

django.setup()

from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    BasePasswordHasher,
    PBKDF2PasswordHasher,
)

PASSWORD = "correct horse battery staple"
REPEAT = 10


def cpu_ms(hasher: BasePasswordHasher) -> tuple[float, float]:
    encoded = hasher.encode(PASSWORD, hasher.salt())
    costs = []
    for _ in range(REPEAT):
        started = time.process_time()
        assert hasher.verify(PASSWORD, encoded)
        costs.append((time.process_time() - started) * 1000)
    return statistics.median(costs), min(costs)


def main() -> None:
    print("| Hasher | Parameters | CPU per log-in, median (min) |")
    print("| --- | --- | --- |")
    pbkdf2 = PBKDF2PasswordHasher()
    argon2 = Argon2PasswordHasher()
    rows = [
        (pbkdf2, f"PBKDF2-SHA256, {pbkdf2.iterations:,} iterations"),
        (
            argon2,
            f"Argon2id, time cost {argon2.time_cost}, memory {argon2.memory_cost // 1024} MiB, "
            f"parallelism {argon2.parallelism}",
        ),
    ]
    for hasher, parameters in rows:
        median, fastest = cpu_ms(hasher)
        print(f"| `{hasher.algorithm}` | {parameters} | {median:.0f} ms ({fastest:.0f} ms) |")


if __name__ == "__main__":
    main()
