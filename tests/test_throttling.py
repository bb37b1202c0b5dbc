"""Failed log-ins, sign-ups and password-reset emails are limited per client address, whatever
the usernames."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AttemptCounter
from tests import factories

User = get_user_model()
T0 = factories.T0 + timedelta(seconds=10)  # 50 s before the next minute


@pytest.fixture
def three_failures_a_minute(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE = 3


@pytest.fixture
def two_sign_ups_an_hour(settings):
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 2


def fail_log_ins(client, count: int, **extra) -> None:
    for number in range(count):
        response = client.post(
            reverse("login"), {"username": f"guess{number}", "password": "wrong"}, **extra
        )
        assert response.status_code == 200


def sign_up(client, username: str, **extra):
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
        **extra,
    )


@time_machine.travel(T0, tick=False)
def test_it_pauses_log_ins_from_an_address_that_failed_across_usernames(
    client, alice, password, three_failures_a_minute
):
    fail_log_ins(client, 3)
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert "Too many failed log-ins from your network" in response.text
    assert "paused for 1 minute." in response.text
    assert '<main id="main"' in response.text  # the site's own page, not a bare error
    assert not client.get("/").context["user"].is_authenticated


def test_the_refusal_checks_no_password(client, alice, three_failures_a_minute, monkeypatch):
    fail_log_ins(client, 3)

    def no_hashing(*args, **kwargs):
        raise AssertionError("a refused log-in must not hash a password")

    monkeypatch.setattr("django.contrib.auth.hashers.check_password", no_hashing)
    monkeypatch.setattr("django.contrib.auth.base_user.check_password", no_hashing)
    response = client.post(reverse("login"), {"username": "alice", "password": "anything"})
    assert response.status_code == 429


def test_log_ins_open_again_in_the_next_minute(client, alice, password, three_failures_a_minute):
    with time_machine.travel(T0, tick=False):
        fail_log_ins(client, 3)
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 302


def test_successful_log_ins_are_not_counted(client, alice, password, three_failures_a_minute):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "alice", "password": password})
        assert response.status_code == 302
        client.post(reverse("logout"))
    fail_log_ins(client, 2)
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 302


def test_another_address_can_still_log_in(client, alice, password, three_failures_a_minute):
    fail_log_ins(client, 3, REMOTE_ADDR="198.51.100.7")
    response = client.post(
        reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_log_in_page_itself_is_never_refused(client, three_failures_a_minute):
    fail_log_ins(client, 3)
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_it_limits_sign_ups_per_address(client, two_sign_ups_an_hour):
    assert sign_up(client, "dana").status_code == 302
    client.post(reverse("logout"))
    assert sign_up(client, "erin").status_code == 302
    client.post(reverse("logout"))
    response = sign_up(client, "frank")
    assert response.status_code == 429
    assert response["Retry-After"] == str(60 * 60 - 10)
    assert "Too many sign-ups from your network" in response.text
    assert "try again in 60 minutes" in response.text
    assert not User.objects.filter(username="frank").exists()
    assert sign_up(client, "frank", REMOTE_ADDR="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_sign_up_opens_again_in_the_next_hour(client, two_sign_ups_an_hour):
    with time_machine.travel(T0, tick=False):
        for username in ("dana", "erin"):
            sign_up(client, username)
            client.post(reverse("logout"))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert sign_up(client, "frank").status_code == 302


@pytest.fixture
def two_password_resets_an_hour(settings):
    settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 2


def ask_for_a_reset(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


@time_machine.travel(T0, tick=False)
def test_it_limits_password_reset_emails_per_address(
    client, alice, two_password_resets_an_hour, mailoutbox
):
    assert ask_for_a_reset(client, "alice@example.com").status_code == 302
    assert ask_for_a_reset(client, "nobody@example.com").status_code == 302
    response = ask_for_a_reset(client, "alice@example.com")
    assert response.status_code == 429
    assert response["Retry-After"] == str(60 * 60 - 10)
    assert "Too many password reset requests from your network" in response.text
    assert "try again in 60 minutes" in response.text
    assert '<main id="main"' in response.text
    assert len(mailoutbox) == 1
    response = ask_for_a_reset(client, "alice@example.com", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_password_resets_open_again_in_the_next_hour(client, two_password_resets_an_hour):
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            ask_for_a_reset(client, "nobody@example.com")
        assert ask_for_a_reset(client, "nobody@example.com").status_code == 429
        assert client.get(reverse("password_reset")).status_code == 200
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert ask_for_a_reset(client, "nobody@example.com").status_code == 302


@pytest.fixture
def two_resets_to_one_email_an_hour(settings):
    settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 2


@time_machine.travel(T0, tick=False)
def test_it_limits_password_reset_emails_to_one_address_from_any_network(
    client, alice, two_resets_to_one_email_an_hour, mailoutbox
):
    for network in ("198.51.100.7", "203.0.113.9"):
        assert ask_for_a_reset(client, "alice@example.com", REMOTE_ADDR=network).status_code == 302
    response = ask_for_a_reset(client, " ALICE@example.com ", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 429
    assert response["Retry-After"] == str(60 * 60 - 10)
    assert "Too many password reset requests for that email address" in response.text
    assert len(mailoutbox) == 2
    assert ask_for_a_reset(client, "bob@example.com", REMOTE_ADDR="192.0.2.44").status_code == 302


# Every password check counts against the address, wherever the password is typed.


@time_machine.travel(T0, tick=False)
def test_the_admin_log_in_is_limited_with_the_sites(client, admin_user, three_failures_a_minute):
    fail_log_ins(client, 2)
    response = client.post(
        "/admin/login/", {"username": "someone", "password": "wrong"}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 429
    assert "Too many failed log-ins from your network" in response.text
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 429


@time_machine.travel(T0, tick=False)
def test_failed_admin_log_ins_count_towards_the_limit(client, alice, password, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE = 3
    for number in range(3):
        response = client.post("/admin/login/", {"username": f"guess{number}", "password": "x"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 429


@time_machine.travel(T0, tick=False)
def test_a_refused_admin_log_in_checks_no_password(
    client, admin_user, three_failures_a_minute, monkeypatch
):
    fail_log_ins(client, 3)

    def no_hashing(*args, **kwargs):
        raise AssertionError("a refused log-in must not hash a password")

    monkeypatch.setattr("django.contrib.auth.base_user.check_password", no_hashing)
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 429


@pytest.fixture
def four_password_checks_a_minute(settings):
    settings.PASSWORD_CHECKS_PER_ADDRESS_PER_MINUTE = 4


@time_machine.travel(T0, tick=False)
def test_successful_log_ins_count_as_password_checks(
    client, alice, password, four_password_checks_a_minute
):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "alice", "password": password})
        assert response.status_code == 302
        client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert "Too many log-ins from your network" in response.text
    assert (
        client.post(
            reverse("login"),
            {"username": "alice", "password": password},
            REMOTE_ADDR="198.51.100.7",
        ).status_code
        == 302
    )


def change_password(client, old: str, **extra):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old,
            "new_password1": "another-long-unusual-passphrase",
            "new_password2": "another-long-unusual-passphrase",
        },
        **extra,
    )


@time_machine.travel(T0, tick=False)
def test_a_wrong_old_password_counts_as_a_failed_log_in(
    alice_client, alice, password, three_failures_a_minute
):
    for _ in range(3):
        response = change_password(alice_client, "wrong")
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.text
    response = change_password(alice_client, password)
    assert response.status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(password)


@time_machine.travel(T0, tick=False)
def test_the_old_password_is_checked_as_a_password_check(
    alice_client, alice, password, four_password_checks_a_minute
):
    for _ in range(2):
        assert change_password(alice_client, "wrong").status_code == 200
    assert change_password(alice_client, password).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-long-unusual-passphrase")
    assert change_password(alice_client, "another-long-unusual-passphrase").status_code == 302
    assert change_password(alice_client, "another-long-unusual-passphrase").status_code == 429


def test_changing_the_password_keeps_this_session(alice_client, password):
    assert change_password(alice_client, password).status_code == 302
    assert alice_client.get(reverse("account")).status_code == 200


@time_machine.travel(T0, tick=False)
def test_a_wrong_password_to_delete_the_account_counts_as_a_failed_log_in(
    alice_client, alice, password, three_failures_a_minute
):
    for _ in range(3):
        response = alice_client.post(reverse("delete_account"), {"password": "wrong"})
        assert response.status_code == 200
    response = alice_client.post(reverse("delete_account"), {"password": password})
    assert response.status_code == 429
    assert User.objects.filter(pk=alice.pk).exists()


@time_machine.travel(T0, tick=False)
def test_a_wrong_password_for_one_purpose_pauses_the_others(
    client, alice_client, alice, password, three_failures_a_minute
):
    alice_client.post(reverse("delete_account"), {"password": "wrong"})
    change_password(alice_client, "wrong")
    client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "alice", "password": password}).status_code
        == 429
    )


# Where the counters are kept.


@time_machine.travel(T0, tick=False)
def test_the_counters_survive_a_full_cache(client, alice, password, three_failures_a_minute):
    fail_log_ins(client, 3)
    # Far more entries than a process's own cache keeps (2,000): it culls to make room.
    for number in range(5000):
        cache.set(f"filler-{number}", "x")
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 429


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_without_redis_the_counters_are_rows_of_the_database(client, settings):
    settings.THROTTLE_STORE = "database"
    fail_log_ins(client, 2)
    counters = AttemptCounter.objects.values_list("kind", "who", "attempts")
    assert sorted(counters) == [
        ("login-failures", "127.0.0.1", 2),
        ("password-checks", "127.0.0.1", 2),
    ]


@pytest.mark.django_db
def test_a_counter_starts_again_in_a_new_window(client, settings):
    settings.THROTTLE_STORE = "database"
    with time_machine.travel(T0, tick=False):
        fail_log_ins(client, 2)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        fail_log_ins(client, 1)
    assert AttemptCounter.objects.get(kind="login-failures").attempts == 1


@pytest.mark.django_db
def test_expired_counters_are_cleared_by_a_command(client, settings):
    settings.THROTTLE_STORE = "database"
    with time_machine.travel(T0, tick=False):
        fail_log_ins(client, 1)
        sign_up(client, "dana")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        out = io.StringIO()
        call_command("clear_expired_throttles", stdout=out)
    assert "Expired attempt counters deleted: 2" in out.getvalue()
    assert list(AttemptCounter.objects.values_list("kind", flat=True)) == ["sign-ups"]
