"""Every email is sent by a task: a mail server that is slow or down never slows a page, and
a failed send is retried with backoff a bounded number of times, then left failed."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import send_email
from interviewprep import task_retries
from tests.smtp_server import closed_port_mailer, smtp_server

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# The worker closes database connections between tasks, which would end a test's transaction.
WORKER_IN_THIS_PROCESS = pytest.mark.django_db(transaction=True)


def run_queued_tasks() -> None:
    """What a worker does: run every task that is ready, then stop."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


@pytest.fixture
def finished_statuses():
    statuses = []

    def record(sender, task_result, **kwargs):
        statuses.append(task_result.status)

    task_finished.connect(record, dispatch_uid="test-finished-statuses")
    yield statuses
    task_finished.disconnect(dispatch_uid="test-finished-statuses")


def test_the_password_reset_email_is_rendered_and_queued(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})

    (sent,) = mail.outbox
    assert sent.to == ["alice@example.com"]
    assert "/accounts/reset/" in sent.body


@WORKER_IN_THIS_PROCESS
def test_a_slow_mail_server_does_not_slow_the_password_reset_page(client, alice, settings):
    settings.TASKS = DATABASE_TASKS
    with smtp_server(delay_seconds=3) as inbox:
        settings.MAILERS = inbox.mailer()
        started = time.monotonic()
        response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
        page_seconds = time.monotonic() - started

        assert response.url == reverse("password_reset_done")
        assert page_seconds < 1.5
        assert inbox.messages == []
        assert DBTaskResult.objects.get().task_path == "accounts.tasks.send_email"

        run_queued_tasks()

    (received,) = inbox.messages
    assert received["To"] == "alice@example.com"
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@WORKER_IN_THIS_PROCESS
def test_a_send_to_a_server_that_is_down_fails_and_is_queued_again_later(settings, db):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = closed_port_mailer()
    send_email.enqueue("Subject", "Body", ["alice@example.com"])

    run_queued_tasks()

    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in failed.exception_class_path
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    wait = retry.run_after - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)


def test_after_the_last_attempt_the_send_stays_failed(settings, db, finished_statuses):
    settings.MAILERS = closed_port_mailer()

    # The tests' tasks run at once, so every retry runs within this call.
    send_email.enqueue("Subject", "Body", ["alice@example.com"])

    assert finished_statuses == [TaskResultStatus.FAILED] * task_retries.MAX_ATTEMPTS


def test_the_backoff_grows_and_is_bounded():
    delays = [task_retries.backoff(attempt) for attempt in range(1, task_retries.MAX_ATTEMPTS)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=8),
        timedelta(minutes=32),
    ]


@WORKER_IN_THIS_PROCESS
def test_the_admin_lists_queued_and_failed_tasks_with_the_error(admin_client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = closed_port_mailer()
    send_email.enqueue("Subject", "Body", ["alice@example.com"])
    run_queued_tasks()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)

    listing = admin_client.get("/admin/django_tasks_database/dbtaskresult/")
    detail = admin_client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")

    assert listing.status_code == 200
    rows = [line for line in listing.text.splitlines() if "send_email" in line]
    assert len(rows) == 2
    assert any("Failed" in row for row in rows) and any("Ready" in row for row in rows)
    assert "ConnectionRefusedError" in detail.text
