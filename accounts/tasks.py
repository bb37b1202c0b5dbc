"""Every email the site sends, sent by a task worker: a mail server that is down or slow
never slows a page, and a failed send is retried with backoff, then left failed."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

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
