"""Liveness (/healthz) never touches the database; readiness (/readyz) says whether it answers,
tested against a real PostgreSQL of our own that is stopped and started again."""

import pytest
from django.db import connections
from django.db.utils import load_backend

from tests import private_postgres
from tests.conftest import STRICT

PRIVATE_PORT = 55421


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


@pytest.mark.django_db
def test_readyz_answers_when_the_database_does(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.text == "ready"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_over_plain_http_are_not_redirected_to_https(client, settings, path):
    # A probe that follows the redirect, or counts a 301 as healthy, would never see a 503.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.fixture(scope="module")
def cluster():
    if not private_postgres.available():
        message = "PostgreSQL's initdb and pg_ctl are not installed."
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    server = private_postgres.PrivatePostgres(PRIVATE_PORT)
    server.init()
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def default_database_on(cluster, django_db_blocker):
    """The default connection pointed at the private cluster, as a server process would be."""
    original = connections["default"]
    settings_dict = {
        **original.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(PRIVATE_PORT),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    connections["default"] = wrapper
    try:
        with django_db_blocker.unblock():
            yield cluster
    finally:
        wrapper.close()
        connections["default"] = original


def test_readyz_fails_while_the_database_is_down_and_recovers(client, default_database_on):
    cluster = default_database_on
    assert client.get("/readyz").status_code == 200  # and the connection is kept open

    cluster.stop()
    try:
        down = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    finally:
        cluster.start()

    assert down.status_code == 503
    assert down.text == "database unavailable"
    assert "no-cache" in down["Cache-Control"]
    assert client.get("/readyz").status_code == 200
