"""Template helpers for the clinician review pages."""

from __future__ import annotations

from uuid import UUID

from django import template

from diagnosis.models import Diagnosis
from review.selectors import case_ref as _case_ref

register = template.Library()


@register.filter
def case_ref(diagnosis: Diagnosis | UUID | str) -> str:
    return _case_ref(diagnosis)


@register.filter
def percent(value: float | str | None) -> str:
    """0.8333 -> "83.3" (no % sign; templates add it). Empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.1f}"
