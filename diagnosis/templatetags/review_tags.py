"""Template helpers for clinician review pages and the patient's feedback block."""

from __future__ import annotations

from typing import Any

from django import template

from diagnosis import selectors_review

register = template.Library()


@register.filter
def case_ref(diagnosis: Any) -> str:
    return selectors_review.case_ref(diagnosis)


@register.filter
def percent(value: Any) -> str:
    """0.8333 -> "83.3" (no % sign; templates add it). Empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.1f}"


@register.inclusion_tag("diagnosis/clinician/_patient_feedback_block.html")
def patient_feedback(diagnosis: Any) -> dict[str, Any]:
    """The clinician's feedback as the patient may see it (never the private note).
    Only used on the owner's result page, which has already passed the owner check."""
    return {"feedback": selectors_review.feedback_for_patient(diagnosis=diagnosis)}
