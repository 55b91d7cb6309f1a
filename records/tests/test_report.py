"""Printable reports: the PDF opens and says the right things, in English and in Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diagnosis.models import Diagnosis, Spot
from diagnosis.spots import services
from diagnosis.tests.factories import DiagnosisFactory
from records.report import check_report_pdf, spot_report_pdf
from records.tests.pdf import pdf_text
from review.services import feedback_create

pytestmark = pytest.mark.django_db

PRIVATE = "PRIVATE-NOTE-q9z"


@pytest.fixture
def reviewed(owner: Any, clinician: Any) -> Diagnosis:
    d = DiagnosisFactory(owner=owner, answers={"itches": True, "duration": "months"}, body_site="back")
    feedback_create(
        diagnosis=d,
        author=clinician,
        verdict="agree",
        diagnosis_code="nv",
        urgency="routine",
        message="A harmless mole, keep watching it.",
        private_note=PRIVATE,
    )
    return d


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_english_report_has_every_part(reviewed: Diagnosis) -> None:
    text = _squash(pdf_text(check_report_pdf(diagnosis=reviewed, language="en")))
    for expected in (
        "Skin check report",
        "Screening support, not a diagnosis.",
        "Monitor: keep an eye on it",
        "Mole (melanocytic nevus)",
        "70.0%",
        "Melanoma",
        "Itches",
        "A harmless mole, keep watching it.",
        "Routine check",
        "test-model-1",
        "Your photo",
        "Heat map over your photo",
    ):
        assert expected in text, expected
    assert PRIVATE not in text


def test_the_arabic_report_is_shaped_right_to_left_text(reviewed: Diagnosis) -> None:
    pdf = check_report_pdf(diagnosis=reviewed, language="ar")
    text = _squash(pdf_text(pdf))
    # pdftotext gives the text back in logical order only when the Arabic was shaped with a real
    # Arabic font and laid out right to left.
    # (Phrases without diacritics or neutral punctuation, whose extraction order is not fixed.)
    for expected in ("تقرير فحص الجلد", "راقب البقعة", "شامة (وحمة صباغية)", "إجاباتك", "إصدار النموذج"):
        assert expected in text, expected
    assert "A harmless mole, keep watching it" in text  # the clinician's own words, as written
    assert PRIVATE not in text


def test_images_are_embedded_from_storage(reviewed: Diagnosis) -> None:
    pdf = check_report_pdf(diagnosis=reviewed, language="en")
    assert pdf.count(b"/Subtype /Image") >= 2


def test_a_spot_report_lists_checks_oldest_first_and_marks_the_change(owner: Any) -> None:
    spot = services.spot_create(owner=owner, name="Left shoulder")
    first = DiagnosisFactory(owner=owner, spot=spot, risk_tier="monitor")
    second = DiagnosisFactory(owner=owner, spot=spot, risk_tier="urgent")
    text = _squash(pdf_text(spot_report_pdf(spot=spot, checks=[first, second], language="en")))
    assert "Skin spot report: Left shoulder" in text
    assert "Risk level changed: was Monitor, now Urgent." in text
    arabic = _squash(pdf_text(spot_report_pdf(spot=spot, checks=[first, second], language="ar")))
    assert "Left shoulder" in arabic and "مستوى الخطورة" in arabic


def _urls(d: Diagnosis, spot: Spot) -> list[str]:
    return [
        reverse("records:check_report", kwargs={"pk": d.pk}),
        reverse("records:spot_report", kwargs={"pk": spot.pk}),
    ]


@pytest.fixture
def spot_with_check(owner: Any) -> tuple[Diagnosis, Spot]:
    spot = services.spot_create(owner=owner, name="Back mole")
    return DiagnosisFactory(owner=owner, spot=spot), spot


def test_the_owner_downloads_reports_in_their_language(
    owner_client: Client, spot_with_check: tuple[Diagnosis, Spot]
) -> None:
    for url in _urls(*spot_with_check):
        response = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
        assert "تقرير" in pdf_text(response.content)


@pytest.mark.parametrize(
    "who", ["other_client", "clinician_client", "staff_client", "content_editor_client", "plain_staff_client"]
)
def test_nobody_else_gets_a_report(
    request: pytest.FixtureRequest, who: str, spot_with_check: tuple[Diagnosis, Spot]
) -> None:
    client = request.getfixturevalue(who)
    for url in _urls(*spot_with_check):
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login_for_reports(
    client: Client, spot_with_check: tuple[Diagnosis, Spot]
) -> None:
    for url in _urls(*spot_with_check):
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_pending_check_has_no_report_yet(owner_client: Client, owner: Any) -> None:
    pending = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    response = owner_client.get(reverse("records:check_report", kwargs={"pk": pending.pk}))
    assert response.status_code == 302 and response["Location"] == pending.get_absolute_url()


def test_loading_the_pdf_library_leaves_damaged_photos_undecodable() -> None:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import; the report module undoes it, so
    a truncated upload still fails to decode in the same process."""
    from PIL import ImageFile

    from records.report import _import_weasyprint

    _import_weasyprint()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
