"""Reads for clinician review: the queue and its counts, the case page's context,
the patient-safe view of feedback, and the AI-vs-clinician agreement numbers.

Access itself is decided in ``diagnosis.selectors`` (``diagnosis_reviewable_for_user``
/ ``diagnosis_get_for_reviewer``); everything here builds on those querysets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from diagnosis.answers import EXPORT_COLUMNS, export_cells
from diagnosis.feedback import OTHER_CODE, Verdict
from diagnosis.models import CLASS_NAMES, Diagnosis, DiagnosisQuerySet, class_name
from diagnosis.selectors import diagnosis_reviewable_for_user
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


# --- agreement ------------------------------------------------------------------------


@dataclass
class Agreement:
    reviewed: int = 0  # feedback on analysed (done) cases
    verdicts: dict[str, int] = field(default_factory=dict)
    verdict_rate: float | None = None  # agree / (agree + disagree)
    labelled: int = 0  # cases with a clinician label (verdict not "cannot tell")
    label_matches: int = 0  # AI top-1 == clinician label
    label_rate: float | None = None
    row_codes: list[str] = field(default_factory=list)  # clinician labels (7 classes + other)
    col_codes: list[str] = field(default_factory=list)  # AI classes (7)
    matrix: list[list[int]] = field(default_factory=list)  # matrix[row][col]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Matrix rows for templates, with per-class agreement (recall vs the clinician)."""
        out = []
        for code, counts in zip(self.row_codes, self.matrix, strict=True):
            total = sum(counts)
            hit = counts[self.col_codes.index(code)] if code in self.col_codes else 0
            out.append(
                {
                    "code": code,
                    "name": class_name(code) if code != OTHER_CODE else _("Other"),
                    "counts": counts,
                    "total": total,
                    "rate": (hit / total) if total else None,
                }
            )
        return out


def reviewed_feedback() -> QuerySet[Feedback]:
    """Feedback on analysed cases (those with an AI prediction to compare)."""
    return (
        Feedback.objects.filter(diagnosis__status=Diagnosis.Status.DONE)
        .exclude(diagnosis__predicted_class="")
        .select_related("diagnosis")
        .order_by("created_at")
    )


def agreement_stats() -> Agreement:
    """AI-vs-clinician agreement over every reviewed, analysed case (clinician/admin pages)."""
    stats = Agreement(
        row_codes=[*CLASS_CODES, OTHER_CODE],
        col_codes=list(CLASS_CODES),
        verdicts=dict.fromkeys(Verdict.values, 0),
    )
    stats.matrix = [[0] * len(stats.col_codes) for _row in stats.row_codes]
    rows = reviewed_feedback().values_list("verdict", "diagnosis_code", "diagnosis__predicted_class")
    for verdict, label, predicted in rows:
        stats.reviewed += 1
        stats.verdicts[verdict] = stats.verdicts.get(verdict, 0) + 1
        if verdict == Verdict.CANNOT_TELL:
            continue
        stats.labelled += 1
        stats.label_matches += int(label == predicted)
        row = label if label in CLASS_CODES else OTHER_CODE
        if predicted in stats.col_codes:
            stats.matrix[stats.row_codes.index(row)][stats.col_codes.index(predicted)] += 1
    decided = stats.verdicts[Verdict.AGREE] + stats.verdicts[Verdict.DISAGREE]
    stats.verdict_rate = stats.verdicts[Verdict.AGREE] / decided if decided else None
    stats.label_rate = stats.label_matches / stats.labelled if stats.labelled else None
    return stats


def agreement_csv_rows(*, feedback: Iterable[Feedback] | None = None) -> Iterator[list[Any]]:
    """Header then one row per reviewed case: ids, AI probabilities, clinician label, model version.
    ``feedback`` defaults to ``reviewed_feedback()``."""
    yield [
        "diagnosis_id",
        "case_ref",
        "created_at",
        "reviewed_at",
        "model_version",
        "ai_predicted_class",
        "ai_risk_tier",
        *[f"prob_{code}" for code in CLASS_CODES],
        "verdict",
        "clinician_label",
        "clinician_label_other",
        "urgency",
        "feedback_version",
        *EXPORT_COLUMNS,  # the patient's answers and the model's view of the photo
    ]
    for item in reviewed_feedback() if feedback is None else feedback:
        d = item.diagnosis
        probs = d.probabilities or {}
        yield [
            str(d.pk),
            case_ref(d),
            d.created_at.isoformat(),
            item.updated_at.isoformat(),
            d.model_version,
            d.predicted_class,
            d.risk_tier,
            *[f"{float(probs[code]):.6f}" if code in probs else "" for code in CLASS_CODES],
            item.verdict,
            item.diagnosis_code,
            item.diagnosis_other,
            item.urgency,
            item.version,
            *export_cells(d),
        ]
