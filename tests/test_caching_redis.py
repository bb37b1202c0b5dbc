"""test_caching.py's invalidation tests against a real Redis through Django's RedisCache, the
cache several web processes or nodes share. Redis DB 5 on 127.0.0.1 unless
INTERVIEWPREP_TEST_REDIS_URL says otherwise; in CI (INTERVIEWPREP_STRICT_TESTS=1) a Redis that
cannot be reached fails the run instead of skipping."""

import os

import pytest
import redis
from django.core.cache import cache

from tests.conftest import STRICT
from tests.test_caching import *  # noqa: F403 (the same tests, collected again here)
from tests.test_caching import (
    test_the_cold_dashboard_stays_within_a_wide_margin_of_the_trivial_view,
)

REDIS_URL = os.environ.get("INTERVIEWPREP_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")

# A timing against the trivial view, not about the backend: once is enough.
del test_the_cold_dashboard_stays_within_a_wide_margin_of_the_trivial_view


@pytest.fixture(autouse=True)
def redis_cache(settings):
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
    cache.clear()
    yield
    cache.clear()


def test_the_cache_really_is_redis():
    cache.set("probe", "in redis")
    assert redis.Redis.from_url(REDIS_URL).keys("*probe")
