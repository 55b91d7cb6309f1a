"""The client's address, decided once for the whole site (axes, allauth, DRF throttles).

``TRUSTED_PROXY_COUNT`` says how many reverse proxies we run in front of Django. Each of
them appends the address it received the request from to ``X-Forwarded-For``, so the
entry ``TRUSTED_PROXY_COUNT`` places from the right was written by our outermost proxy
and names the real client; everything to its left came from the client and is ignored.
With ``0`` (no proxy) the header is never read: anyone can send it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def trusted_proxy_count() -> int:
    return settings.TRUSTED_PROXY_COUNT


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent ``request``, as far as our own proxies vouch for it."""
    remote_addr = _clean(request.META.get("REMOTE_ADDR"))
    count = trusted_proxy_count()
    if count <= 0:
        return remote_addr
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Not relayed through all our proxies (e.g. a health check on the app port):
        # the peer itself is the only address nobody could forge.
        return remote_addr
    return _clean(hops[-count]) or remote_addr
