"""Throttles: uploads per user per hour, sign-in attempts per client.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read on every
request (not frozen at import), so settings overrides apply. A 429 carries
``Retry-After``. Counters live in the default cache: production needs a shared
cache (e.g. Redis) when running more than one web process.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    # Throttles are instantiated per request, so reading the rate here (instead of
    # the class attribute DRF freezes at import) makes settings overrides apply.
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


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
