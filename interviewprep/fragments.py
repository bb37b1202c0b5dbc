"""Cached page fragments that hold forms.

A form posted back needs the CSRF token of the visitor's own session, which a fragment cached
for later requests cannot hold. The fragment is rendered with a stand-in instead, and every
response puts its own token in the stand-in's place. The stand-in is derived from the secret
key: the same on every node, and not something a user can type into a question to have the
token copied there."""

from functools import cache

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe


@cache
def _stand_in() -> str:
    return (
        "csrf-"
        + salted_hmac("interviewprep.fragments", "csrf stand-in", algorithm="sha256").hexdigest()
    )


def render(template_name: str, context: dict) -> str:
    """The fragment, with the stand-in wherever `{% csrf_token %}` is."""
    return render_to_string(template_name, {**context, "csrf_token": _stand_in()})


def with_csrf(request: HttpRequest, html: str) -> SafeString:
    """The fragment as this request shows it: with the request's own CSRF token."""
    return mark_safe(html.replace(_stand_in(), get_token(request)))
