"""The rate-limit rule alone: fixed windows on the clock, and how many attempts fit in one."""

from datetime import timedelta

from accounts.rate_limit import RateLimit, allows, window
from tests.factories import T0  # on the hour

PER_MINUTE = RateLimit(attempts=3, seconds=60)


def test_it_allows_attempts_until_the_limit_is_used():
    assert allows(0, PER_MINUTE)
    assert allows(2, PER_MINUTE)
    assert not allows(3, PER_MINUTE)
    assert not allows(30, PER_MINUTE)


def test_one_window_lasts_the_limits_length():
    first = window(T0, PER_MINUTE)
    assert window(T0 + timedelta(seconds=59.9), PER_MINUTE).number == first.number
    assert window(T0 + timedelta(seconds=60), PER_MINUTE).number == first.number + 1


def test_it_says_how_long_until_the_next_window():
    assert window(T0, PER_MINUTE).retry_after == 60
    assert window(T0 + timedelta(seconds=45), PER_MINUTE).retry_after == 15
    # Never zero: a client told to wait 0 s would come straight back into the same window.
    assert window(T0 + timedelta(seconds=59.5), PER_MINUTE).retry_after == 1


def test_windows_of_an_hour():
    hourly = RateLimit(attempts=10, seconds=3600)
    assert window(T0 + timedelta(minutes=20), hourly).retry_after == 40 * 60
    assert window(T0 + timedelta(minutes=59), hourly).number == window(T0, hourly).number
