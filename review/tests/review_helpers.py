"""Helpers for the clinician review tests: a second clinician and review cases."""

from __future__ import annotations

from typing import Any

from diagnosis.models import Diagnosis
from portal.testing import make_staff_user
from review.models import Feedback
from review.services import feedback_amend, feedback_create

PRIVATE_NOTE = "PRIVATE-NOTE-Xq7: suspect atypical network, do not disclose"
PATIENT_MESSAGE = "This looks like a harmless mole. Keep an eye on it."


def make_other_clinician() -> Any:
    return make_staff_user("colleague@example.com", full_name="Dr Colin Colleague", is_clinician=True)


def give_feedback(*, diagnosis: Diagnosis, author: Any, **overrides: Any) -> Feedback:
    values: dict[str, Any] = {
        "verdict": "agree",
        "diagnosis_code": "nv",
        "urgency": "routine",
        "message": PATIENT_MESSAGE,
        "private_note": PRIVATE_NOTE,
    }
    values.update(overrides)
    # Exports include consenting patients only: these patients consent.
    type(diagnosis.owner).objects.filter(pk=diagnosis.owner_id).update(training_consent=True)
    save = feedback_amend if Feedback.objects.filter(diagnosis=diagnosis).exists() else feedback_create
    return save(diagnosis=diagnosis, author=author, **values)


def feedback_post_data(**overrides: Any) -> dict[str, str]:
    data = {
        "verdict": "disagree",
        "diagnosis_code": "mel",
        "diagnosis_other": "",
        "urgency": "soon",
        "message": "Please see a dermatologist within two weeks.",
        "private_note": PRIVATE_NOTE,
    }
    data.update(overrides)
    return data
