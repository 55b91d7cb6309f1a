"""What a patient sees of a clinician's feedback, and the vocabulary it is written in.

The review workflow (claims, feedback versions, audit) lives in the ``review`` app, which
depends on this one; the patient's result page and API only read the current feedback
through the ``Diagnosis.clinician_feedback`` relation and project it here, without the
private note, so this app never imports ``review``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy

from diagnosis.models import Diagnosis
from diagnosis.names import OTHER_CODE, disease_label
from diseases.models import Disease


class Verdict(models.TextChoices):
    AGREE = "agree", gettext_lazy("Agree with the AI result")
    DISAGREE = "disagree", gettext_lazy("Disagree with the AI result")
    CANNOT_TELL = "cannot_tell", gettext_lazy("Cannot tell from this photo")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", gettext_lazy("Emergency: seek care now")
    SOON = "soon", gettext_lazy("See a dermatologist within 2 weeks")
    ROUTINE = "routine", gettext_lazy("Routine check")
    NONE = "none", gettext_lazy("No action needed")


# Order used when sorting/ranking urgency (most urgent first).
URGENCY_ORDER = [Urgency.EMERGENCY, Urgency.SOON, Urgency.ROUTINE, Urgency.NONE]


@dataclass(frozen=True)
class PatientFeedback:
    """What the patient may see. Deliberately has no private note field."""

    message: str
    diagnosis_label: str
    diagnosis_url: str
    urgency: str
    urgency_label: str
    reviewed_at: datetime
    amended: bool


def feedback_for_patient(*, diagnosis: Diagnosis) -> PatientFeedback | None:
    """The patient-safe projection of the feedback (call after the owner check)."""
    row = (
        Diagnosis.objects.filter(pk=diagnosis.pk, clinician_feedback__isnull=False)
        .values(
            message=models.F("clinician_feedback__message"),
            code=models.F("clinician_feedback__diagnosis_code"),
            other=models.F("clinician_feedback__diagnosis_other"),
            urgency=models.F("clinician_feedback__urgency"),
            updated_at=models.F("clinician_feedback__updated_at"),
            version=models.F("clinician_feedback__version"),
        )
        .first()
    )
    if row is None:
        return None
    url = ""
    if row["code"] != OTHER_CODE:
        disease = Disease.objects.published().filter(code=row["code"]).first()
        url = disease.get_absolute_url() if disease is not None else ""
    urgency = row["urgency"]
    return PatientFeedback(
        message=row["message"],
        diagnosis_label=disease_label(row["code"], row["other"]),
        diagnosis_url=url,
        urgency=urgency,
        urgency_label=str(Urgency(urgency).label) if urgency in Urgency.values else "",
        reviewed_at=row["updated_at"],
        amended=row["version"] > 1,
    )
