"""Permission-scoped reads for diagnoses: the one place access is decided.

For now only the owner may see a diagnosis; clinicians/admins (review queue,
issue 6) will be added here, not in views. Everyone else gets a 404, so the
existence of other people's diagnoses is never revealed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

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
    return qs.order_by("-created_at")
