"""The address a request comes from: one rule for log-in lockouts and rate limits alike."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless `settings.TRUSTED_PROXY_COUNT` proxies stand in front of the site.
    Then each proxy has appended the address it was reached from to X-Forwarded-For, so the
    entry that many places from the right is the client as the outermost proxy saw it. Anything
    the client wrote in the header itself lies further left and is never read."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones, and every entry was
    # still written by a proxy of ours.
    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
