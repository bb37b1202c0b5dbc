"""Shared fixtures: the question bank, three users (owner alice, other user bob, and an
anonymous client), and Debian's Chromium for the end-to-end tests."""

import os
import shutil

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.test import Client

from tests import factories


def seed_the_bank(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Seed the question bank whenever the test database is migrated or flushed.

    Creating the test database migrates it, and a transactional test flushes it afterwards;
    both end with post_migrate (as for content types). So the bank is seeded once per session
    and every `db` test finds it (its changes rolled back), and it is back after each
    `transaction=True` test. A test that needs an empty bank uses `empty_bank`.
    """
    if using == DEFAULT_DB_ALIAS:
        factories.seed()


post_migrate.connect(
    seed_the_bank, sender=apps.get_app_config("questions"), dispatch_uid="tests.seed_the_bank"
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A fake microphone that plays a tone, granted without a prompt, for spoken answers.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
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
def _empty_cache():
    """Counters kept in the cache (log-in failures, sign-ups per address) and cached pages
    start empty in every test: the test database reuses ids, so a page left by one test could
    otherwise answer another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db) -> None:
    """The question bank of fixtures/questions.json (seeded once per session)."""


@pytest.fixture
def empty_bank(db) -> None:
    """No question, key point or topic, for the tests of loading a bank."""
    factories.empty_the_bank()


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


@pytest.fixture
def recordings_dir(settings, tmp_path):
    """Recordings on disk in a folder of this test's own."""
    folder = tmp_path / "recordings"
    settings.RECORDINGS_S3_BUCKET = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    return folder
