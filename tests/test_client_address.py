"""The client address: REMOTE_ADDR, or X-Forwarded-For as written by our trusted proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.client_address import client_address, client_key


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_without_a_proxy_a_forged_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_it_reads_the_address_the_proxy_appended(behind_one_proxy):
    assert client_address(request_from("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # The client wrote the left entry itself; the proxy appended the right one.
    assert client_address(request_from("10.0.0.2", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_it_reads_the_outer_proxys_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "198.51.100.1, 203.0.113.9, 10.0.0.1"
    assert client_address(request_from("10.0.0.2", forwarded)) == "203.0.113.9"
    assert client_address(request_from("10.0.0.2", "10.0.0.1")) == "10.0.0.1"


def test_behind_a_proxy_it_falls_back_to_the_peer(behind_one_proxy):
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", " , ")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_it_reads_ipv6(behind_one_proxy):
    assert client_address(request_from("::1", "2001:db8:1:2::1")) == "2001:db8:1:2::"


def test_an_ipv6_client_stands_for_its_64():
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64) == "2001:db8:1:2::"
    assert client_key("2001:db8:1:2::60", 64) == client_key("2001:db8:1:2::1", 64)
    assert client_key("2001:db8:1:3::1", 64) != client_key("2001:db8:1:2::1", 64)


def test_the_ipv6_prefix_length_is_a_setting(settings):
    assert client_key("2001:db8:1:2::1", 48) == "2001:db8:1::"
    assert client_key("2001:db8:1:2::1", 128) == "2001:db8:1:2::1"
    settings.IPV6_PREFIX_LENGTH = 56
    assert client_address(request_from("2001:db8:1:2ff::1")) == "2001:db8:1:200::"


def test_ipv4_is_kept_whole_even_written_as_ipv6():
    assert client_key("203.0.113.9", 64) == "203.0.113.9"
    assert client_key("::ffff:203.0.113.9", 64) == "203.0.113.9"
    assert client_key("not-an-address", 64) == "not-an-address"


def test_a_peer_without_a_proxy_is_keyed_by_its_64_too(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("2001:db8:1:2::77")) == "2001:db8:1:2::"


def test_the_prefix_length_comes_from_the_environment():
    from tests.test_settings import run_manage

    result = run_manage(
        "check", DJANGO_DEBUG="True", DJANGO_IPV6_PREFIX="129", DJANGO_EMAIL_CONSOLE="True"
    )
    assert result.returncode != 0
    assert "DJANGO_IPV6_PREFIX must be at most 128" in result.stderr


def test_one_64_is_locked_out_by_django_axes_as_one_client(
    client, alice, password, behind_one_proxy
):
    # django-axes pauses a username after five failures from one client; the fifth is
    # answered with the pause.
    for host in range(1, 5):
        assert log_in(client, "wrong", f"2001:db8:1:2::{host}").status_code == 200
    assert log_in(client, "wrong", "2001:db8:1:2::5").status_code == 429
    assert log_in(client, password, "2001:db8:1:2::60").status_code == 429
    assert log_in(client, password, "2001:db8:1:3::1").status_code == 302


@pytest.mark.django_db
def test_sign_ups_from_one_64_are_limited_together(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 2
    for number in range(3):
        client.logout()
        response = client.post(
            reverse("signup"),
            {
                "username": f"newcomer{number}",
                "email": f"newcomer{number}@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"2001:db8:1:2::{number + 1}",
        )
    assert response.status_code == 429


def fail_five_times(client, forwarded: str) -> None:
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )


def log_in(client, password: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": "alice", "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(
    client, alice, password, behind_one_proxy
):
    fail_five_times(client, "198.51.100.1")
    assert log_in(client, password, "198.51.100.1").status_code == 429
    assert log_in(client, password, "203.0.113.9").status_code == 302


def test_without_a_proxy_a_forged_header_does_not_escape_a_lockout(client, alice, password):
    fail_five_times(client, "198.51.100.1")
    assert log_in(client, password, "203.0.113.9").status_code == 429


def test_the_rate_limit_counts_per_forwarded_address(client, alice, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE = 2
    for username in ("x", "y"):
        client.post(
            reverse("login"),
            {"username": username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    assert log_in(client, password, "198.51.100.1").status_code == 429
    assert log_in(client, password, "203.0.113.9").status_code == 302
