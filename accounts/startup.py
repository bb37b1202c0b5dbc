"""A loud warning for a production start-up that would hand out accounts through its log.
(`manage.py check --deploy` already refuses console mail: Django's own mail.E001.)"""

import logging

from django.conf import settings

CONSOLE_MAIL = (
    "Debug is off and emails are written to the console (DJANGO_EMAIL_CONSOLE=True): every "
    "password-reset link lands in the server's log, and whoever reads the log can take over "
    "any account. Set DJANGO_EMAIL_HOST for a real deployment."
)


def warn_about_console_mail() -> None:
    """Called at start-up, so every process (each gunicorn worker, each command) says it."""
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    if not settings.DEBUG and mailer.get("BACKEND", "").endswith(".console.EmailBackend"):
        logging.getLogger("accounts").warning("WARNING: %s", CONSOLE_MAIL)
