"""A loud warning for a production start-up that would hand out accounts through its log,
and `manage.py check --deploy` refusing it (Django's own mail.E001 knows only its own
console backend by name, not the site's readable one, interviewprep.mail)."""

import logging

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.mail.backends import console
from django.utils.module_loading import import_string

CONSOLE_MAIL = (
    "Debug is off and emails are written to the console (DJANGO_EMAIL_CONSOLE=True): every "
    "password-reset link lands in the server's log, and whoever reads the log can take over "
    "any account. Set DJANGO_EMAIL_HOST for a real deployment."
)


def mail_goes_to_the_console() -> bool:
    backend = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "")
    return bool(backend) and issubclass(import_string(backend), console.EmailBackend)


def warn_about_console_mail() -> None:
    """Called at start-up, so every process (each gunicorn worker, each command) says it."""
    if not settings.DEBUG and mail_goes_to_the_console():
        logging.getLogger("accounts").warning("WARNING: %s", CONSOLE_MAIL)


@register(Tags.mail, deploy=True)
def check_console_mail(app_configs, **kwargs) -> list[Error]:
    if not mail_goes_to_the_console():
        return []
    return [Error(CONSOLE_MAIL, id="accounts.E001")]
