"""AI-vs-clinician agreement: the numbers on the agreement page and the reviewed-cases CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from diagnosis.answers import EXPORT_COLUMNS, export_cells
from diagnosis.feedback import Verdict
from diagnosis.models import Diagnosis, class_name
from diagnosis.names import OTHER_CODE
from review.models import Feedback
from review.selectors import CLASS_CODES, case_ref


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
