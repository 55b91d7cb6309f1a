"""Tell django-axes which identifier a login attempt used.

allauth posts the email as ``login`` and authenticates with ``email=``; the
admin posts ``username``. One callable covers both so lockouts are per account.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login")
        or request.POST.get("username")
    )
    return value.strip().lower() if isinstance(value, str) else None
