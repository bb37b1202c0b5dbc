"""The address a request comes from: one rule for log-in lockouts and rate limits alike."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Who the client is, as the throttles and django-axes count it: the peer's address
    (REMOTE_ADDR), or the one our trusted proxies forwarded, keyed by `client_key`."""
    return client_key(_peer_address(request), settings.IPV6_PREFIX_LENGTH)


def client_key(address: str, ipv6_prefix_length: int) -> str:
    """An IPv4 address as it is. An IPv6 address stands for its whole network of
    `ipv6_prefix_length` bits, written as that network's first address: one subscriber
    usually holds a whole /64 and can pick any address in it, so counting single addresses
    would let them step around every limit. An IPv4 address written as IPv6 (::ffff:a.b.c.d)
    is that IPv4 address. Anything that is not an address is returned as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    network = ipaddress.IPv6Network((parsed, ipv6_prefix_length), strict=False)
    return str(network.network_address)


def _peer_address(request: HttpRequest) -> str:
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
