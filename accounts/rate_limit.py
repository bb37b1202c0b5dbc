"""Rate limits: how many attempts one client address may make in a window of time."""

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RateLimit:
    attempts: int
    seconds: int


@dataclass(frozen=True)
class Window:
    number: int
    retry_after: int


def window(now: datetime, limit: RateLimit) -> Window:
    """The window `now` falls in, and the whole seconds until the next one opens. Windows are
    aligned on the epoch, so a counter needs no start time of its own: its key names the window
    and it expires with it."""
    elapsed = now.timestamp()
    number = int(elapsed // limit.seconds)
    retry_after = math.ceil((number + 1) * limit.seconds - elapsed)
    return Window(number=number, retry_after=max(retry_after, 1))


def allows(counted: int, limit: RateLimit) -> bool:
    """Whether one more attempt is allowed after `counted` in the current window."""
    return counted < limit.attempts
