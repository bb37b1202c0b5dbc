"""Settings come from the environment and refuse bad values loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from interviewprep.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base["DJANGO_SETTINGS_MODULE"] = "interviewprep.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_reads_booleans(monkeypatch):
    monkeypatch.setenv("FLAG", "on")
    assert env_bool("FLAG", "False") is True
    monkeypatch.setenv("FLAG", "False")
    assert env_bool("FLAG", "True") is False


def test_it_refuses_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("FLAG", "yes please")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env_bool("FLAG", "False")


def test_it_refuses_a_bad_number(monkeypatch):
    monkeypatch.setenv("PORT_NUMBER", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORT_NUMBER must be a whole number"):
        env_int("PORT_NUMBER", "1")
    monkeypatch.setenv("PORT_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("PORT_NUMBER", "1", minimum=1)


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", DJANGO_DEBUG="False")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_misspelt_debug_flag():
    result = run_manage("check", DJANGO_DEBUG="yes")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="interviewprep.example",
        DJANGO_EMAIL_HOST="smtp.interviewprep.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_debug_settings_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="True")
    assert result.returncode == 0, result.stderr


PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
}


def test_it_refuses_to_start_without_a_mail_server_when_debug_is_off():
    result = run_manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_EMAIL_HOST must be set when DJANGO_DEBUG is off" in result.stderr
    assert "DJANGO_EMAIL_CONSOLE=True" in result.stderr


def test_console_mail_with_debug_off_must_be_asked_for_and_is_warned_about():
    result = run_manage("check", DJANGO_EMAIL_CONSOLE="True", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "WARNING: Debug is off and emails are written to the console" in result.stderr


def test_a_mail_server_needs_no_warning():
    result = run_manage("check", DJANGO_EMAIL_HOST="smtp.interviewprep.example", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr


def print_setting(name: str, **env: str) -> str:
    command = f"from django.conf import settings; print(settings.{name})"
    result = run_manage("shell", "-c", command, DJANGO_DEBUG="True", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_forwarded_addresses_are_trusted_only_behind_a_proxy():
    assert print_setting("TRUSTED_PROXY_COUNT") == "0"
    assert print_setting("TRUSTED_PROXY_COUNT", DJANGO_PROXY_COUNT="2") == "0"
    assert print_setting("TRUSTED_PROXY_COUNT", DJANGO_BEHIND_PROXY="True") == "1"
    assert (
        print_setting("TRUSTED_PROXY_COUNT", DJANGO_BEHIND_PROXY="True", DJANGO_PROXY_COUNT="2")
        == "2"
    )


def test_review_links_are_emailed_only_through_a_mail_server():
    assert print_setting("REVIEW_LINKS_BY_EMAIL") == "False"
    assert print_setting("REVIEW_LINKS_BY_EMAIL", DJANGO_EMAIL_HOST="smtp.example") == "True"


def test_the_review_limits_come_from_the_environment():
    assert print_setting("REVIEW_LINKS_PER_USER_PER_DAY") == "10"
    assert print_setting("REVIEW_LINKS_PER_USER_PER_DAY", DJANGO_REVIEW_LINKS_PER_DAY="3") == "3"
    result = run_manage("check", DJANGO_DEBUG="True", DJANGO_REVIEW_SAVES_PER_ADDRESS="0")
    assert "DJANGO_REVIEW_SAVES_PER_ADDRESS" in result.stderr


def test_make_serve_does_not_share_gunicorns_default_control_socket():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "serve"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    gunicorn = next(line for line in result.stdout.splitlines() if "bin/gunicorn" in line)
    assert "--no-control-socket" in gunicorn


def test_the_deploy_check_refuses_console_mail():
    result = run_manage("check", "--deploy", DJANGO_EMAIL_CONSOLE="True", **PRODUCTION)
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr + result.stdout
