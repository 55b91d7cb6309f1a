"""Template helpers for the clinician review pages."""

from __future__ import annotations

from typing import Any

from django import template

from review.selectors import case_ref as _case_ref

register = template.Library()


@register.filter
def case_ref(diagnosis: Any) -> str:
    return _case_ref(diagnosis)


@register.filter
def percent(value: Any) -> str:
    """0.8333 -> "83.3" (no % sign; templates add it). Empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.1f}"
