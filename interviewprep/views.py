"""Site-wide views that belong to no app."""

import logging

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache

# The header that carries the token a page should use from now on, on a refused request.
FRESH_CSRF_TOKEN_HEADER = "X-Fresh-CSRF-Token"

logger = logging.getLogger(__name__)

READINESS_STATEMENT_TIMEOUT_MS = 2000


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness, for load balancers and the benchmark's baseline: no database, no template.
    It stays 200 while the database is down: restarting this process would not help."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The "form expired" page. Logging in elsewhere rotates the token, so an open page's
    token goes stale; the response carries the current one so that the page can send its
    request again once, without losing what was typed (static/js/site.js)."""
    response = render(request, "403_csrf.html", status=403)
    response[FRESH_CSRF_TOKEN_HEADER] = get_token(request)
    return response


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 only when the database answers a trivial query, 503 otherwise, so a load
    balancer stops sending pages to an instance that would fail every one of them. Connecting
    is bounded by DJANGO_DB_CONNECT_TIMEOUT, the query by a statement timeout."""
    try:
        _ask_the_database()
    except DatabaseError as error:
        logger.warning("Not ready: the database did not answer: %s", error)
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ready", content_type="text/plain")


def _ask_the_database() -> None:
    if connection.vendor != "postgresql":
        # Not in a transaction: SQLite's would take the write lock (transaction_mode IMMEDIATE).
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL ends with the transaction: a reused connection keeps no trace of it.
        cursor.execute(f"SET LOCAL statement_timeout = {READINESS_STATEMENT_TIMEOUT_MS}")
        cursor.execute("SELECT 1")
