"""The patient's data export: one zip with their photos, heat maps, results (JSON) and reports.

Files are read through the storage API (never a media path). Written to a temporary file
(spooled to disk past a few MB), so a large history never sits in memory.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from accounts.models import User
from diagnosis.downloads import heatmap_render
from diagnosis.feedback import feedback_for_patient
from diagnosis.models import Diagnosis, Spot
from records.report import check_report_pdf, spot_report_pdf

logger = logging.getLogger(__name__)

SPOOL_BYTES = 8 * 1024 * 1024


def _stem(diagnosis: Diagnosis) -> str:
    return f"{diagnosis.created_at:%Y-%m-%d_%H%M%S}_{diagnosis.pk}"


def _check_json(diagnosis: Diagnosis) -> dict[str, Any]:
    feedback = feedback_for_patient(diagnosis=diagnosis)
    return {
        "id": str(diagnosis.pk),
        "created_at": diagnosis.created_at,
        "finished_at": diagnosis.finished_at,
        "status": diagnosis.status,
        "body_site": diagnosis.body_site,
        "note": diagnosis.note,
        "review_requested": diagnosis.review_requested,
        "spot_id": str(diagnosis.spot_id) if diagnosis.spot_id else None,
        "model_version": diagnosis.model_version,
        "probabilities": diagnosis.probabilities,
        "top3": diagnosis.top3,
        "predicted_class": diagnosis.predicted_class,
        "risk_tier": diagnosis.risk_tier,
        "not_usable_photo": diagnosis.ood_flag,
        "answers": diagnosis.answers,
        # The patient-visible feedback only; never the clinician's private note.
        "clinician_feedback": None
        if feedback is None
        else {
            "message": feedback.message,
            "diagnosis": feedback.diagnosis_label,
            "urgency": feedback.urgency,
            "reviewed_at": feedback.reviewed_at,
        },
    }


def _copy(archive: zipfile.ZipFile, field: Any, arcname: str) -> bool:
    if not field or not field.name:
        return False
    try:
        with field.open("rb") as src, archive.open(arcname, "w") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
    except (FileNotFoundError, OSError, ValueError):
        logger.warning("export: %s is missing", field.name)
        return False
    return True


def account_export(*, user: User, language: str | None = None) -> IO[bytes]:
    """A zip of everything the patient has given or been given; rewound, ready to stream."""
    language = language or user.preferred_language or translation.get_language()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (handed to the response)
    checks = list(Diagnosis.objects.filter(owner=user).select_related("spot").order_by("created_at"))
    spots = list(Spot.objects.filter(owner=user).order_by("created_at"))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for check in checks:
            stem = _stem(check)
            _copy(archive, check.image, f"photos/{stem}.jpg")
            _copy(archive, heatmap_render(check).heatmap, f"heatmaps/{stem}.png")
            if check.status in Diagnosis.FINAL_STATUSES:
                archive.writestr(f"reports/{stem}.pdf", check_report_pdf(diagnosis=check, language=language))
        for spot in spots:
            spot_checks = [c for c in checks if c.spot_id == spot.pk and c.status in Diagnosis.FINAL_STATUSES]
            if spot_checks:
                pdf = spot_report_pdf(spot=spot, checks=spot_checks, language=language)
                archive.writestr(f"reports/spot_{spot.pk}.pdf", pdf)
        results = {
            "exported_at": timezone.now(),
            "account": {
                "email": user.email,
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "date_joined": user.date_joined,
                "birth_year": user.birth_year,
                "sex": user.sex,
                "skin_type": user.fitzpatrick,
                "training_consent": user.training_consent,
                "training_consent_changed_at": user.training_consent_at,
            },
            "spots": [
                {
                    "id": str(s.pk),
                    "name": s.name,
                    "body_site": s.body_site,
                    "created_at": s.created_at,
                    "reminder_at": s.remind_at,
                }
                for s in spots
            ],
            "checks": [_check_json(c) for c in checks],
        }
        archive.writestr(
            "results.json", json.dumps(results, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
    out.seek(0)
    return out
