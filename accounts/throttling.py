"""Counters of log-in failures, sign-ups and password-reset emails per client address (and of
reset emails per recipient), kept in Django's cache so
that every worker process sharing that cache shares the counts."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.client_address import client_address
from accounts.rate_limit import RateLimit, Window, allows, window

LOGIN_FAILURES = "login-failures"
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
        # Hashed: a cache key of any length and characters, and no addresses in the cache.
        email = request.POST.get("email", "").strip().casefold()
        return hashlib.sha256(email.encode()).hexdigest()
    return client_address(request)


def _key(kind: str, request: HttpRequest, current: Window) -> str:
    return f"rate-limit:{kind}:{_who(kind, request)}:{current.number}"


def used_up(kind: str, request: HttpRequest, now: datetime) -> Window | None:
    """The current window when this address has no attempts of `kind` left in it, else None."""
    limit = _limit(kind)
    current = window(now, limit)
    counted = cache.get(_key(kind, request, current), 0)
    return None if allows(counted, limit) else current


def count(kind: str, request: HttpRequest, now: datetime) -> None:
    limit = _limit(kind)
    current = window(now, limit)
    key = _key(kind, request, current)
    # add() then incr() are each atomic on every cache backend, so concurrent workers never
    # lose a count; the key is useless once its window has passed.
    cache.add(key, 0, timeout=current.retry_after + 1)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=current.retry_after + 1)
