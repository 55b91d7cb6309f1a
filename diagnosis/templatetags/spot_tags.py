"""Template helpers for spots: the user's spots for the "which spot" choices."""

from __future__ import annotations

from typing import Any

from django import template

from diagnosis.spots.selectors import spot_choices_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def user_spots(context: Any) -> list[tuple[str, str]]:
    """(id, name) of the signed-in user's spots (empty for anyone else)."""
    request = context.get("request")
    return spot_choices_for_user(user=getattr(request, "user", None))
