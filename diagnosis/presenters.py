"""Template context for the result page and its polled fragment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from diagnosis import trust
from diagnosis.answers import answer_rows
from diagnosis.models import Diagnosis, class_name
from diseases.selectors import disease_for_code

POLL_SECONDS = 1
SLOW_POLL_SECONDS = 5
# After this, a pending result says it is taking longer than usual.
SLOW_AFTER = timedelta(seconds=30)


def disease_url(code: str) -> str:
    """Link to the disease library page for a class code (slug of the page, else the code)."""
    if not code:
        return ""
    disease = disease_for_code(code)
    slug = disease.code if disease is not None else code  # a page's slug is its code
    try:
        return reverse("diseases:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return ""


def result_context(diagnosis: Diagnosis) -> dict[str, Any]:
    slow = diagnosis.is_pending and timezone.now() - diagnosis.created_at > SLOW_AFTER
    return {
        "diagnosis": diagnosis,
        # Poll less often once it is clearly slow (worker down, long queue).
        "poll_seconds": SLOW_POLL_SECONDS if slow else POLL_SECONDS,
        "disease_url": disease_url(diagnosis.predicted_class),
        "cam_class_name": class_name(diagnosis.cam_class) if diagnosis.cam_class else "",
        "slow": slow,
        # How far to trust the result, the patient's own answers, why a photo was rejected.
        "trust": trust.trust_for(diagnosis) if diagnosis.status == Diagnosis.Status.DONE else None,
        "answer_rows": answer_rows(diagnosis.answers),
        "rejection_kind": trust.rejection_kind(diagnosis.ood_reason),
        "quality_detail": trust.quality_detail(diagnosis.ood_reason),
        "diseases_url": _diseases_url(),
    }


def _diseases_url() -> str:
    try:
        return reverse("diseases:list")
    except NoReverseMatch:
        return ""
