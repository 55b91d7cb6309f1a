"""Permission-scoped reads for spots: the owner sees their spots; a clinician sees, on a case
page, only the checks of that case's spot that the patient shared for review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet
from django.http import Http404

from accounts.models import User
from diagnosis.feedback import PatientFeedback, feedback_for_patient
from diagnosis.models import Diagnosis, Spot
from diagnosis.selectors import diagnosis_reviewable_for_user

NEW_SPOT = "new"  # the upload page's "new spot" choice


@dataclass(frozen=True)
class TimelineEntry:
    """One check of a spot, in time order, with what changed since the previous result."""

    diagnosis: Diagnosis
    feedback: PatientFeedback | None
    previous_tier: str
    tier_changed: bool

    @property
    def previous_tier_label(self) -> str:
        return str(Diagnosis.Risk(self.previous_tier).label) if self.previous_tier else ""


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def spot_get_for_user(*, user: User | Any, pk: Any) -> Spot:
    """The owner's spot, else 404 (other people's spots are never revealed)."""
    if not _authenticated(user):
        raise Http404
    try:
        return Spot.objects.get(pk=pk, owner=user)
    except (Spot.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def spot_list_for_user(*, user: User | Any) -> QuerySet[Spot]:
    if not _authenticated(user):
        return Spot.objects.none()
    return (
        Spot.objects.filter(owner=user)
        .annotate(check_count=Count("checks"), last_check_at=Max("checks__created_at"))
        .order_by("name", "created_at")
    )


def _entries(checks: list[Diagnosis], *, with_feedback: bool) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    previous = ""
    for check in checks:
        tier = check.risk_tier if check.status == Diagnosis.Status.DONE else ""
        changed = bool(tier and previous and tier != previous)
        feedback = feedback_for_patient(diagnosis=check) if with_feedback else None
        entries.append(TimelineEntry(check, feedback, previous if changed else "", changed))
        if tier:
            previous = tier
    return entries


def spot_timeline(*, spot: Spot) -> list[TimelineEntry]:
    """The spot's checks, oldest first, each with its patient-visible clinician feedback (never
    the private note). Call after ``spot_get_for_user`` granted access."""
    checks = list(Diagnosis.objects.filter(spot=spot, owner_id=spot.owner_id).order_by("created_at"))
    return _entries(checks, with_feedback=True)


def spot_timeline_for_reviewer(*, user: User | Any, diagnosis: Diagnosis) -> list[TimelineEntry]:
    """For the clinician case page: the checks of this case's spot that the patient asked to have
    reviewed (a check kept private never appears), oldest first. Empty when the case has no spot
    or ``user`` may not review it."""
    if diagnosis.spot_id is None:
        return []
    checks = list(
        diagnosis_reviewable_for_user(user=user)
        .filter(spot_id=diagnosis.spot_id, owner_id=diagnosis.owner_id)
        .order_by("created_at")
    )
    if all(check.pk != diagnosis.pk for check in checks):
        return []  # the case itself is not reviewable by this user: show nothing
    return _entries(checks, with_feedback=False)


def spot_choices_for_user(*, user: User | Any) -> list[tuple[str, str]]:
    """(value, label) for the upload page's "which spot" select: the user's spots by name."""
    return [(str(pk), name) for pk, name in spot_list_for_user(user=user).values_list("pk", "name")]


def spot_report_checks(*, spot: Spot) -> list[Diagnosis]:
    """Finished checks of a spot for its printable report, oldest first."""
    return list(
        Diagnosis.objects.filter(
            spot=spot, owner_id=spot.owner_id, status__in=Diagnosis.FINAL_STATUSES
        ).order_by("created_at")
    )
