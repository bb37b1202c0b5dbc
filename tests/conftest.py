"""Shared fixtures: three users (owner alice, other user bob, and an anonymous client),
and Debian's Chromium for the end-to-end tests."""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# In CI a missing browser or database is a failure, never a skip.
STRICT = os.environ.get("INTERVIEWPREP_STRICT_TESTS", "") == "1"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install -y chromium)."
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    # pytest-django and Playwright's event loop share the test thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the test database reuses ids, so entries left by
    one test could otherwise answer another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


@pytest.fixture
def alice(db, password):
    return get_user_model().objects.create_user("alice", "alice@example.com", password)


@pytest.fixture
def bob(db, password):
    return get_user_model().objects.create_user("bob", "bob@example.com", password)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client
