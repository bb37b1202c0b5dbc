"""Counters of password checks, sign-ups and password-reset emails per client address (and
of reset emails per recipient), kept where every web process and node shares them and none is
evicted to make room: Redis when the site has one (settings.THROTTLE_STORE "cache"), the
database otherwise. Never a process's own memory, where the limits would multiply by the
number of workers and nodes."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

from accounts.client_address import client_address
from accounts.models import AttemptCounter
from accounts.rate_limit import RateLimit, Window, allows, window

# Wrong passwords, wherever a password is checked.
LOGIN_FAILURES = "login-failures"
# Every password checked, right or wrong: each costs a slow hash.
PASSWORD_CHECKS = "password-checks"
SIGN_UPS = "sign-ups"
PASSWORD_RESETS = "password-resets"
# Counted per email address typed in, whoever sends them, so that many client addresses
# together cannot fill one inbox.
PASSWORD_RESETS_TO_ONE_EMAIL = "password-resets-to-one-email"
# Second opinions: review links that do not open (guessing), and saves of a review.
REVIEW_LINK_FAILURES = "review-link-failures"
REVIEW_SAVES = "review-saves"


def _limit(kind: str) -> RateLimit:
    if kind == LOGIN_FAILURES:
        return RateLimit(attempts=settings.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE, seconds=60)
    if kind == PASSWORD_CHECKS:
        return RateLimit(attempts=settings.PASSWORD_CHECKS_PER_ADDRESS_PER_MINUTE, seconds=60)
    if kind == PASSWORD_RESETS:
        return RateLimit(attempts=settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR, seconds=3600)
    if kind == PASSWORD_RESETS_TO_ONE_EMAIL:
        return RateLimit(attempts=settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR, seconds=3600)
    if kind == REVIEW_LINK_FAILURES:
        return RateLimit(attempts=settings.REVIEW_LINK_FAILURES_PER_ADDRESS_PER_HOUR, seconds=3600)
    if kind == REVIEW_SAVES:
        return RateLimit(attempts=settings.REVIEW_SAVES_PER_ADDRESS_PER_MINUTE, seconds=60)
    return RateLimit(attempts=settings.SIGN_UPS_PER_ADDRESS_PER_HOUR, seconds=3600)


def _who(kind: str, request: HttpRequest) -> str:
    if kind == PASSWORD_RESETS_TO_ONE_EMAIL:
        # Hashed: a key of fixed length, and no email addresses among the counters.
        email = request.POST.get("email", "").strip().casefold()
        return hashlib.sha256(email.encode()).hexdigest()
    who = client_address(request)
    # An address is at most 45 characters; anything longer (a REMOTE_ADDR set by some other
    # server) is hashed to fit.
    return who if len(who) <= 64 else hashlib.sha256(who.encode()).hexdigest()


def used_up(kind: str, request: HttpRequest, now: datetime) -> Window | None:
    """The current window when this client has no attempts of `kind` left in it, else None."""
    limit = _limit(kind)
    current = window(now, limit)
    counted = _counted(kind, _who(kind, request), current)
    return None if allows(counted, limit) else current


def count(kind: str, request: HttpRequest, now: datetime) -> None:
    limit = _limit(kind)
    current = window(now, limit)
    _add_one(kind, _who(kind, request), current, now)


def _counted(kind: str, who: str, current: Window) -> int:
    if settings.THROTTLE_STORE == "cache":
        return cache.get(_cache_key(kind, who, current), 0)
    counted = AttemptCounter.objects.filter(
        kind=kind, who=who, window_number=current.number
    ).values_list("attempts", flat=True)
    return counted.first() or 0


def _add_one(kind: str, who: str, current: Window, now: datetime) -> None:
    if settings.THROTTLE_STORE == "cache":
        key = _cache_key(kind, who, current)
        # add() then incr() are each atomic in Redis, so concurrent processes never lose a
        # count; the key is useless once its window has passed.
        cache.add(key, 0, timeout=current.retry_after + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=current.retry_after + 1)
        return
    # One statement, atomic on SQLite and PostgreSQL alike: the first attempt creates the row,
    # an attempt in a new window starts it again at 1, and two attempts at once both count.
    table = connection.ops.quote_name(AttemptCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, who, window_number, attempts, expires_at) "
            "VALUES (%s, %s, %s, 1, %s) "
            "ON CONFLICT (kind, who) DO UPDATE SET "
            f"attempts = CASE WHEN {table}.window_number = excluded.window_number "
            f"THEN {table}.attempts + 1 ELSE 1 END, "
            "window_number = excluded.window_number, expires_at = excluded.expires_at",
            [kind, who, current.number, now + timedelta(seconds=current.retry_after)],
        )


def _cache_key(kind: str, who: str, current: Window) -> str:
    return f"rate-limit:{kind}:{who}:{current.number}"


def clear_expired(now: datetime) -> int:
    """Delete the database's counters whose window has passed; how many were deleted."""
    deleted, _ = AttemptCounter.objects.filter(expires_at__lt=now).delete()
    return deleted
