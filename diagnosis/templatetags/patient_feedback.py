"""The clinician's feedback block on the patient's own result page."""

from __future__ import annotations

from typing import Any

from django import template

from diagnosis.feedback import feedback_for_patient
from diagnosis.models import Diagnosis

register = template.Library()


@register.inclusion_tag("diagnosis/_clinician_feedback_block.html")
def patient_feedback(diagnosis: Diagnosis) -> dict[str, Any]:
    """The clinician's feedback as the patient may see it (never the private note).
    Only used on the owner's result page, which has already passed the owner check."""
    return {"feedback": feedback_for_patient(diagnosis=diagnosis)}
