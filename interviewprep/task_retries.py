"""Retrying a task that failed for a passing reason (a mail server down, a storage hiccup):
queued again later, a bounded number of times, then left failed for the admin to see.

A foundation module: it imports no app of the project, so every app's tasks may use it."""

import logging
from datetime import timedelta
from typing import NoReturn

from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_DELAY = timedelta(seconds=30)


def backoff(attempt: int) -> timedelta:
    """The wait before the attempt after `attempt`: 30 s, 2 min, 8 min, 32 min."""
    return FIRST_DELAY * 4 ** (attempt - 1)


def retry_or_raise(task, error: BaseException, attempt: int, *args, **kwargs) -> NoReturn:
    """Queue `task` again with `attempt + 1` after the backoff, unless the attempts are used
    up; either way raise `error`, so that this attempt ends failed, with its error, in the
    admin (the last one stays the last word)."""
    if attempt >= MAX_ATTEMPTS:
        raise error
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + backoff(attempt))
    logger.warning(
        "Task %s failed (attempt %d of %d: %r); queued again.",
        task.name,
        attempt,
        MAX_ATTEMPTS,
        error,
    )
    task.enqueue(*args, attempt=attempt + 1, **kwargs)
    raise error
