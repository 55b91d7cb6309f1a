"""Printable PDF reports (WeasyPrint): one check, or one spot's checks over time.

Rendered from templates/records/report.html in the patient's language, right-to-left in
Arabic (Pango/HarfBuzz shape the Arabic with the system's fonts: Noto Sans Arabic from Debian's
fonts-noto-core, else DejaVu Sans; the browser's subsetted web fonts lose their text mapping
in a PDF, so they are not used). Photos
and heat maps are read through the storage API and embedded as data: URIs, so the report
never touches a media path and works with S3 storage too. The URL fetcher refuses anything
but data: URIs: a report never reads a file or makes a network request.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import ImageFile

from diagnosis.answers import answer_rows
from diagnosis.downloads import heatmap_render
from diagnosis.feedback import PatientFeedback, feedback_for_patient
from diagnosis.models import Diagnosis, Spot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportCheck:
    diagnosis: Diagnosis
    photo: str  # data: URI ("" if the file is gone)
    heatmap: str
    answers: list[dict[str, str]]
    feedback: PatientFeedback | None
    previous_tier: str = ""  # set when the risk tier differs from the spot's previous result

    @property
    def tier_changed(self) -> bool:
        return bool(self.previous_tier)

    @property
    def previous_tier_label(self) -> str:
        return str(Diagnosis.Risk(self.previous_tier).label) if self.previous_tier else ""


def _data_uri(field: FieldFile, mime: str) -> str:
    if not field or not field.name:
        return ""
    try:
        with field.open("rb") as fh:
            payload = fh.read()
    except (FileNotFoundError, OSError, ValueError):
        logger.warning("report: %s is missing", field.name)
        return ""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def report_check(diagnosis: Diagnosis, previous_tier: str = "") -> ReportCheck:
    """Everything the report shows about one check (answers translated in the active language)."""
    return ReportCheck(
        diagnosis=diagnosis,
        photo=_data_uri(diagnosis.image, "image/jpeg"),
        heatmap=_data_uri(heatmap_render(diagnosis).heatmap, "image/png"),
        answers=answer_rows(diagnosis.answers),
        feedback=feedback_for_patient(diagnosis=diagnosis),
        previous_tier=previous_tier,
    )


def _import_weasyprint() -> None:
    """Import WeasyPrint without its side effect: on import it sets Pillow's global
    ``LOAD_TRUNCATED_IMAGES = True``, which would let a damaged upload decode as half a
    grey picture anywhere else in the process (diagnosis.imaging relies on False)."""
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint  # noqa: F401  (lazy: only report requests pay for the import)

    ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _fetcher() -> Any:
    """WeasyPrint's fetcher limited to data: URIs (the embedded photo and heat map)."""
    _import_weasyprint()
    from weasyprint.urls import URLFetcher

    class ReportFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"report: refusing to fetch {url[:80]}")
            return super().fetch(url, headers)

    return ReportFetcher(allowed_protocols={"data"})


def render_pdf(*, template: str, context: dict[str, Any], language: str) -> bytes:
    """Render ``template`` in ``language`` and convert it to PDF bytes."""
    _import_weasyprint()
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "LANGUAGE_CODE": language,
                "rtl": translation.get_language_bidi(),
                "generated_at": timezone.now(),
            },
        )
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf()


def check_report_pdf(*, diagnosis: Diagnosis, language: str) -> bytes:
    """The report of one check (call after the owner check)."""
    with translation.override(language):
        context = {"checks": [report_check(diagnosis)], "spot": None, "owner": diagnosis.owner}
        return render_pdf(template="records/report.html", context=context, language=language)


def spot_report_pdf(*, spot: Spot, checks: list[Diagnosis], language: str) -> bytes:
    """The report of a spot: its checks oldest first, tier changes marked (after the owner check)."""
    with translation.override(language):
        items: list[ReportCheck] = []
        previous = ""
        for check in checks:
            tier = check.risk_tier if check.status == Diagnosis.Status.DONE else ""
            items.append(report_check(check, previous if tier and previous and tier != previous else ""))
            previous = tier or previous
        context = {"checks": items, "spot": spot, "owner": spot.owner}
        return render_pdf(template="records/report.html", context=context, language=language)
