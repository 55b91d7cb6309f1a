"""Export reviewed photos as an ImageFolder (``<out>/<clinician label>/<id>.jpg``)
for future retraining, with a ``labels.csv`` manifest. Every photo written is a read
of patient data and gets an audit row (action "export", channel "command")."""

from __future__ import annotations

import csv
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from diagnosis.answers import EXPORT_COLUMNS, export_cells
from diagnosis.models import Diagnosis
from review.audit import access_log_record_many
from review.models import OTHER_CODE, CaseAccessLog, Feedback, Verdict
from review.selectors import CLASS_CODES

logger = logging.getLogger(__name__)

MANIFEST = "labels.csv"


@dataclass
class ExportResult:
    written: int = 0
    skipped: int = 0
    per_label: dict[str, int] = field(default_factory=dict)


def reviewed_export_imagefolder(
    *,
    out_dir: Path,
    exported_by: str,
    model_classes_only: bool = False,
    include_cannot_tell: bool = False,
) -> ExportResult:
    """Copy each reviewed photo into a folder named after the clinician's label.

    "Cannot tell from this photo" cases are left out unless asked (their label is
    not a judgement of the lesion); ``model_classes_only`` keeps the seven classes.
    ``exported_by`` names who ran the export, for the audit log.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    exported: list[UUID] = []
    try:
        _export(out_dir, result, exported, model_classes_only, include_cannot_tell)
    finally:
        # Even if the export stops half-way, the photos already copied are logged.
        access_log_record_many(
            user=None,
            who=exported_by,
            diagnosis_ids=exported,
            action=CaseAccessLog.Action.EXPORT,
            channel=CaseAccessLog.Channel.COMMAND,
            detail=f"export_reviewed to {out_dir}",
        )
    return result


def _export(
    out_dir: Path,
    result: ExportResult,
    exported: list[UUID],
    model_classes_only: bool,
    include_cannot_tell: bool,
) -> None:
    feedback = (
        Feedback.objects.filter(diagnosis__in=Diagnosis.objects.consented_for_training())
        .exclude(diagnosis__image="")
        .select_related("diagnosis")
        .order_by("diagnosis__created_at")
    )  # consenting patients only
    if not include_cannot_tell:
        feedback = feedback.exclude(verdict=Verdict.CANNOT_TELL)
    with (out_dir / MANIFEST).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            # + the patient's answers and the model's view of the photo
            [
                "path",
                "label",
                "diagnosis_id",
                "verdict",
                "ai_predicted_class",
                "model_version",
                "version",
                *EXPORT_COLUMNS,
            ]
        )
        for item in feedback.iterator():
            label = item.diagnosis_code if item.diagnosis_code in CLASS_CODES else OTHER_CODE
            if model_classes_only and label == OTHER_CODE:
                result.skipped += 1
                continue
            diagnosis = item.diagnosis
            relative = f"{label}/{diagnosis.pk}.jpg"
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with diagnosis.image.open("rb") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (FileNotFoundError, ValueError):
                logger.warning("photo of diagnosis %s is missing; skipped", diagnosis.pk)
                result.skipped += 1
                continue
            writer.writerow(
                [
                    relative,
                    label,
                    str(diagnosis.pk),
                    item.verdict,
                    diagnosis.predicted_class,
                    diagnosis.model_version,
                    item.version,
                    *export_cells(diagnosis),
                ]
            )
            exported.append(diagnosis.pk)
            result.written += 1
            result.per_label[label] = result.per_label.get(label, 0) + 1
