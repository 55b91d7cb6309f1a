"""Permission-scoped reads for diagnoses: the one place access is decided.

The owner may see and act on a diagnosis (``diagnosis_get_for_user``).
Clinicians and admins may *read* a diagnosis whose patient asked for a review
once its analysis has finished (``diagnosis_get_for_reviewer``); they never get
the owner's actions (delete, retry). Everyone else gets a 404, so the existence
of other people's diagnoses is never revealed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404

from accounts.roles import can_review
from diagnosis.models import Diagnosis, DiagnosisQuerySet


def diagnosis_get_for_user(*, user: Any, pk: Any) -> Diagnosis:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Diagnosis.objects.select_related("owner").get(pk=pk, owner=user)
    except (Diagnosis.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def diagnosis_list_for_user(
    *, user: Any, status: str | None = None, risk: str | None = None
) -> DiagnosisQuerySet:
    if not getattr(user, "is_authenticated", False):
        return Diagnosis.objects.none()
    qs = Diagnosis.objects.owned_by(user)
    if status and status in Diagnosis.Status.values:
        qs = qs.filter(status=status)
    if risk and risk in Diagnosis.Risk.values:
        qs = qs.filter(risk_tier=risk)
    # For the "reviewed by a clinician" badge; the feedback itself is not loaded.
    qs = qs.annotate(
        has_clinician_feedback=ExpressionWrapper(
            Q(clinician_feedback__isnull=False), output_field=BooleanField()
        )
    )
    return qs.order_by("-created_at")


# Statuses a clinician can review: a result, or a rejected photo (to advise a retake).
REVIEWABLE_STATUSES = (Diagnosis.Status.DONE, Diagnosis.Status.REJECTED)


def diagnosis_reviewable_for_user(*, user: Any) -> DiagnosisQuerySet:
    """Diagnoses a clinician/admin may open: review requested, analysis finished, a photo to
    look at (a damaged file leaves none: the patient is asked to send it again), not their
    own. Empty for everyone else."""
    if not can_review(user):
        return Diagnosis.objects.none()
    return (
        Diagnosis.objects.filter(review_requested=True, status__in=REVIEWABLE_STATUSES)
        .exclude(image="")
        .exclude(owner=user)
    )


def diagnosis_get_for_reviewer(*, user: Any, pk: Any) -> Diagnosis:
    """Read access for clinicians/admins (see ``diagnosis_reviewable_for_user``), else 404."""
    try:
        return diagnosis_reviewable_for_user(user=user).select_related("owner").get(pk=pk)
    except (Diagnosis.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
