"""Reads for clinician review: the queue and its counts, the case page's context,
the patient-safe view of feedback, and the AI-vs-clinician agreement numbers.

Access itself is decided in ``diagnosis.selectors`` (``diagnosis_reviewable_for_user``
/ ``diagnosis_get_for_reviewer``); everything here builds on those querysets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import can_review, is_admin
from diagnosis.models import CLASS_NAMES, Diagnosis, DiagnosisQuerySet
from diagnosis.names import OTHER_CODE
from diagnosis.selectors import diagnosis_reviewable_for_user
from diagnosis.spots.selectors import TimelineEntry, spot_timeline_for_reviewer
from diseases.models import Disease
from review.models import CaseClaim, Feedback, FeedbackVersion

CLASS_CODES = tuple(CLASS_NAMES)  # the model's seven classes, in model order


class QueueState:
    PENDING = "pending"  # all cases waiting for feedback (default)
    OPEN = "open"  # waiting and nobody holds them
    MINE = "mine"  # claimed by me
    TAKEN = "taken"  # claimed by another clinician
    REVIEWED = "reviewed"  # feedback given

    ALL = (PENDING, OPEN, MINE, TAKEN, REVIEWED)


def case_ref(diagnosis: Diagnosis | UUID | str) -> str:
    """Short case reference shown to clinicians instead of any personal data."""
    pk = diagnosis.pk if hasattr(diagnosis, "pk") else diagnosis
    return "C-" + str(pk).replace("-", "")[:8].upper()


_TIER_RANK = Case(
    When(risk_tier=Diagnosis.Risk.URGENT, then=Value(0)),
    When(risk_tier=Diagnosis.Risk.MONITOR, then=Value(1)),
    When(risk_tier=Diagnosis.Risk.ROUTINE, then=Value(2)),
    default=Value(3),  # rejected photos (no tier): after the analysed ones
    output_field=IntegerField(),
)


def _state_q(state: str, user: User, cutoff: datetime) -> Q:
    waiting = Q(clinician_feedback__isnull=True)
    active = Q(claim__isnull=False, claim__claimed_at__gte=cutoff)
    if state == QueueState.REVIEWED:
        return Q(clinician_feedback__isnull=False)
    if state == QueueState.OPEN:
        return waiting & ~active
    if state == QueueState.MINE:
        return waiting & active & Q(claim__clinician=user)
    if state == QueueState.TAKEN:
        return waiting & active & ~Q(claim__clinician=user)
    return waiting


def review_queue(
    *, user: User, state: str = QueueState.PENDING, risk: str = "", body_site: str = ""
) -> DiagnosisQuerySet:
    """Cases for the queue page: urgent first, then oldest first (reviewed: newest feedback first)."""
    state = state if state in QueueState.ALL else QueueState.PENDING
    qs = diagnosis_reviewable_for_user(user=user).filter(_state_q(state, user, CaseClaim.cutoff()))
    if risk in Diagnosis.Risk.values:
        qs = qs.filter(risk_tier=risk)
    elif risk == Diagnosis.Status.REJECTED:
        qs = qs.filter(status=Diagnosis.Status.REJECTED)
    if body_site:
        qs = qs.filter(body_site=body_site)
    qs = qs.select_related("claim__clinician", "clinician_feedback")
    if state == QueueState.REVIEWED:
        return qs.order_by("-clinician_feedback__updated_at")
    return qs.annotate(tier_rank=_TIER_RANK).order_by("tier_rank", "created_at")


def review_queue_counts(*, user: User) -> dict[str, int]:
    """How many cases each queue tab holds, and the waiting cases by risk tier."""
    cutoff = CaseClaim.cutoff()
    base = diagnosis_reviewable_for_user(user=user)
    counts = {state: base.filter(_state_q(state, user, cutoff)).count() for state in QueueState.ALL}
    waiting = base.filter(_state_q(QueueState.PENDING, user, cutoff))
    for tier in Diagnosis.Risk.values:
        counts[f"risk_{tier}"] = waiting.filter(risk_tier=tier).count()
    counts["risk_rejected"] = waiting.filter(status=Diagnosis.Status.REJECTED).count()
    return counts


def active_claim(diagnosis: Diagnosis) -> CaseClaim | None:
    """The case's claim if it has not expired, else None."""
    claim = diagnosis.claim if _has_claim(diagnosis) else None
    return claim if claim is not None and claim.is_active() else None


def _has_claim(diagnosis: Diagnosis) -> bool:
    try:
        diagnosis.claim  # noqa: B018 (reverse one-to-one raises when missing)
    except Diagnosis.claim.RelatedObjectDoesNotExist:
        return False
    return True


def feedback_for_case(diagnosis: Diagnosis) -> Feedback | None:
    """Full feedback (private note included): clinician pages only."""
    return Feedback.objects.select_related("author").filter(diagnosis=diagnosis).first()


def feedback_versions(feedback: Feedback | None) -> list[FeedbackVersion]:
    if feedback is None:
        return []
    return list(feedback.versions.select_related("author").order_by("-number"))


def disease_choices() -> list[tuple[str, str]]:
    """Choices for the clinician's diagnosis: the disease library (model classes
    first), any model class missing from the library, then "other"."""
    diseases = list(Disease.objects.order_by("-is_model_class", "name_en"))
    choices = [(d.code, d.name) for d in diseases]
    known = {d.code for d in diseases}
    choices += [(code, str(name)) for code, name in CLASS_NAMES.items() if code not in known]
    choices.append((OTHER_CODE, _("Other (describe)")))
    return choices


def patient_earlier_diagnoses(*, diagnosis: Diagnosis, limit: int = 10) -> list[Diagnosis]:
    """The same patient's earlier finished checks that they also asked a clinician to
    review (a check they kept to themselves is never shown), same body site first,
    newest first. Call only after ``diagnosis_get_for_reviewer`` granted access to ``diagnosis``."""
    same_site = Case(
        When(body_site=diagnosis.body_site, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    qs = (
        Diagnosis.objects.filter(
            owner_id=diagnosis.owner_id,
            review_requested=True,
            created_at__lt=diagnosis.created_at,
            status__in=(Diagnosis.Status.DONE, Diagnosis.Status.REJECTED),
        )
        .select_related("clinician_feedback")
        .annotate(site_rank=same_site if diagnosis.body_site else Value(0))
        .order_by("site_rank", "-created_at")
    )
    return list(qs[:limit])


def feedback_can_edit(*, diagnosis: Diagnosis, user: User, feedback: Feedback | None = None) -> bool:
    """New feedback: no one else holds an active claim (admins may always write).
    Amendment: an author of an earlier version, or an admin."""
    if not can_review(user):
        return False
    if is_admin(user):
        return True
    if feedback is None:
        feedback = Feedback.objects.filter(diagnosis=diagnosis).first()
    if feedback is not None:
        return feedback.versions.filter(author=user).exists()
    claim = active_claim(diagnosis)
    return claim is None or claim.clinician_id == user.pk


@dataclass(frozen=True)
class CaseContext:
    """What the case page and the case API show besides the diagnosis itself."""

    feedback: Feedback | None
    versions: list[FeedbackVersion]
    claim: CaseClaim | None
    can_edit: bool
    earlier: list[Diagnosis]
    spot_timeline: list[TimelineEntry]


def case_context(*, user: User, diagnosis: Diagnosis) -> CaseContext:
    """One read of a case's surroundings for the HTML page and the API alike (call only
    after ``diagnosis_get_for_reviewer`` granted ``user`` access to ``diagnosis``)."""
    feedback = feedback_for_case(diagnosis)
    return CaseContext(
        feedback=feedback,
        versions=feedback_versions(feedback),
        claim=active_claim(diagnosis),
        can_edit=feedback_can_edit(diagnosis=diagnosis, user=user, feedback=feedback),
        earlier=patient_earlier_diagnoses(diagnosis=diagnosis),
        spot_timeline=spot_timeline_for_reviewer(user=user, diagnosis=diagnosis),
    )
