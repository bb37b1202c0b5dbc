"""Accounts' work for the task workers: every email the site sends (a mail server that is
down or slow never slows a page, and a failed send is retried with backoff, then left failed),
and the daily clearing of expired throttle counters and sessions."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from accounts import throttling
from interviewprep.task_retries import retry_or_raise


@task
def send_email(
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    headers: dict[str, str] | None = None,
    attempt: int = 1,
) -> None:
    """Send one message (plain text, with an HTML part when given) through the default
    mailer; an SMTP failure or a connection that fails or times out is retried."""
    message = EmailMultiAlternatives(subject, body, to=to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        retry_or_raise(send_email, error, attempt, subject, body, to, html=html, headers=headers)


@task
def clear_expired(slot: str) -> int:
    """Delete the throttle counters whose window has passed, and expired sessions."""
    deleted = throttling.clear_expired(timezone.now())
    call_command("clearsessions")
    return deleted
