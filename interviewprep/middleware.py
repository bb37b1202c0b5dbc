"""Middleware of the project's own."""

import functools
import zoneinfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import TIME_ZONE_SESSION_KEY


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired must not get the login form swapped into a
    fragment. A GET goes to the login page as a whole page; a POST (an autosave, an answer)
    gets 401 and swaps nothing, so the text stays in the box and the page says what happened."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            if request.method == "GET":
                return HttpResponseClientRedirect(response["Location"])
            refused = HttpResponse("Log in again to continue.", status=401)
            refused["HX-Reswap"] = "none"
            return refused
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a GET of an address that only takes a form (log-out, an answer, a grade)
    with an empty 405: a blank page for whoever typed it, or logged in again after their
    session expired while sending that form (log-in's `next` brings them back with a GET).
    Such a page visit gets the site's own 405 page instead."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in ("GET", "HEAD")
            and not getattr(request, "htmx", False)
            and not response.content
        ):
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response


class UserTimeZoneMiddleware:
    """Show dates and times in the user's own time zone. It is kept in the session (set at
    log-in and when settings change), so no request pays a query for it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone(request.session.get(TIME_ZONE_SESSION_KEY))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


@functools.lru_cache(maxsize=128)
def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    # Not zoneinfo.available_timezones(): it walks the zone files on every call.
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY with every response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NullByteHeaderMiddleware:
    """A request header with a NUL byte is malformed: gunicorn refuses it, but other servers
    (runserver, some proxies) pass it on, and a text column cannot store it (django-axes keeps
    the User-Agent of every failed log-in, which PostgreSQL refused with a 500). Such a request
    gets the site's 400 page before anything reads its headers."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(
            "\x00" in value
            for name, value in request.META.items()
            if name.startswith("HTTP_") and isinstance(value, str)
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)
