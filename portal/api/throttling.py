"""Throttles: uploads per user per hour, sign-in attempts per client.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read on every
request (not frozen at import), so settings overrides apply. A 429 carries
``Retry-After``. Counters live in the default cache, the shared Redis cache, so the
limits hold across web processes and restarts. The client is identified by
``portal.client_ip`` (TRUSTED_PROXY_COUNT), like axes and allauth. The HTML upload
form spends the same per-user upload budget as the API (``upload_rate_wait``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip


class _SettingsRateThrottle(SimpleRateThrottle):
    # Throttles are instantiated per request, so reading the rate here (instead of
    # the class attribute DRF freezes at import) makes settings overrides apply.
    def get_rate(self) -> str | None:
        # drf-stubs type the rates as numbers; they are strings such as "20/hour".
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope) if self.scope is not None else None

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or ""


class UploadRateThrottle(_SettingsRateThrottle):
    """Photo uploads per signed-in user (only POST requests count)."""

    scope = "uploads"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AuthRateThrottle(_SettingsRateThrottle):
    """Sign-in (token) attempts per client address."""

    scope = "auth"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def upload_rate_wait(request: HttpRequest) -> float | None:
    """Count one upload by ``request.user`` (web form); seconds to wait if over the limit.

    Same scope, key and rate as the API's UploadRateThrottle: one budget per user,
    whichever way the photos arrive. None means the upload may go ahead.
    """
    throttle = UploadRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 0.0
