"""test_throttling.py's limits with their counters in a real Redis, as when DJANGO_CACHE_URL
names one (settings.THROTTLE_STORE "cache"). Redis DB 5 on 127.0.0.1 unless
INTERVIEWPREP_TEST_REDIS_URL says otherwise; in CI (INTERVIEWPREP_STRICT_TESTS=1) a Redis that
cannot be reached fails the run instead of skipping."""

import pytest
import redis
from django.core.cache import cache

from tests.conftest import STRICT
from tests.test_caching_redis import REDIS_URL
from tests.test_throttling import *  # noqa: F403 (the same tests, collected again here)
from tests.test_throttling import (
    test_a_counter_starts_again_in_a_new_window,
    test_expired_counters_are_cleared_by_a_command,
    test_without_redis_the_counters_are_rows_of_the_database,
)

# About the database's counters only.
del test_a_counter_starts_again_in_a_new_window
del test_expired_counters_are_cleared_by_a_command
del test_without_redis_the_counters_are_rows_of_the_database


@pytest.fixture(autouse=True)
def redis_counters(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    settings.THROTTLE_STORE = "cache"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_counters_really_are_in_redis(client):
    client.post("/accounts/login/", {"username": "someone", "password": "wrong"})
    assert redis.Redis.from_url(REDIS_URL).keys("*rate-limit:login-failures:127.0.0.1:*")
