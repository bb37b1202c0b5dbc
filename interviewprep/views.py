"""Site-wide views that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache

# The header that carries the token a page should use from now on, on a refused request.
FRESH_CSRF_TOKEN_HEADER = "X-Fresh-CSRF-Token"


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The "form expired" page. Logging in elsewhere rotates the token, so an open page's
    token goes stale; the response carries the current one so that the page can send its
    request again once, without losing what was typed (static/js/site.js)."""
    response = render(request, "403_csrf.html", status=403)
    response[FRESH_CSRF_TOKEN_HEADER] = get_token(request)
    return response
