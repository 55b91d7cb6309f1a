from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.roles import can_curate_diseases, can_review, is_admin, is_clinician, requires_mfa


def preferences(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    theme = ""
    if user is not None and user.is_authenticated:
        theme = getattr(user, "preferred_theme", "") or ""
    return {"user_theme": theme, "SITE_NAME": settings.SITE_NAME}


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's roles for templates (decided in accounts.roles, never from is_staff)."""
    # No user at all (a request that never met the authentication middleware): nobody's roles.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "user_is_admin": is_admin(user),
        "user_is_clinician": is_clinician(user),
        "user_can_review": can_review(user),
        "user_can_curate": can_curate_diseases(user),
        "user_requires_mfa": requires_mfa(user),
    }
