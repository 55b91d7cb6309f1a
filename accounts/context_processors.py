from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def preferences(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    theme = ""
    if user is not None and user.is_authenticated:
        theme = getattr(user, "preferred_theme", "") or ""
    return {"user_theme": theme, "SITE_NAME": settings.SITE_NAME}
