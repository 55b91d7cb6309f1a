"""End to end in Chromium: a patient asks for review, a clinician claims the case and
leaves feedback, the patient is emailed (real SMTP catch-all) and reads it.

The analysis runs synchronously in-process with the test predictor (no worker needed):
Run: .venv/bin/pytest -m browser diagnosis/tests/test_review_browser.py
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from diagnosis.models import Diagnosis
from diagnosis.tests import images
from diagnosis.tests.support import login
from portal.testing import message_text
from review.models import CaseAccessLog, Feedback
from review.tests.factories import CaseFactory
from review.tests.review_helpers import PRIVATE_NOTE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "The spot needs a closer look. Please book a dermatologist visit within two weeks."


@pytest.fixture
def inline_analysis(monkeypatch: pytest.MonkeyPatch, fake_predictor: Any) -> Any:
    """Run the analysis as soon as it is enqueued, in the web process, with the test predictor."""
    from diagnosis import tasks
    from diagnosis.services import diagnosis_run

    monkeypatch.setattr(tasks.run_diagnosis, "delay", lambda pk: diagnosis_run(diagnosis_id=str(pk)))
    return fake_predictor


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "spot.jpg"
    path.write_bytes(images.jpeg((640, 480)))
    return path


def test_patient_review_request_reaches_clinician_and_feedback_comes_back(
    live_server: Any,
    browser_page: Any,
    chromium_browser: Any,
    smtp_catchall: Any,
    settings: Any,
    inline_analysis: Any,
    owner: Any,
    clinician: Any,
    password: str,
    photo: Path,
) -> None:
    settings.SITE_URL = live_server.url

    # 1. The patient uploads a photo and asks for a clinician review.
    page = browser_page
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}{reverse('diagnosis:upload')}")
    page.set_input_files("[data-testid=image-input]", str(photo))
    page.select_option("#id_body_site", "back")
    page.fill("#id_note", "Noticed it three months ago")
    page.check("#id_review_requested")
    page.click("[data-testid=upload-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    page.wait_for_selector("[data-testid=diagnosis-result][data-status=done]", timeout=30_000)
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.review_requested and diagnosis.risk_tier == "urgent"
    assert page.locator("[data-testid=clinician-feedback]").count() == 0

    # 2. The clinician finds it at the top of the queue, claims it and gives feedback.
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    doc = context.new_page()
    try:
        login(doc, live_server, clinician, password)
        doc.get_by_role("link", name="Review queue").first.click()
        doc.wait_for_url(f"{live_server.url}/clinician/")
        row = doc.locator("[data-testid=queue-row]").first
        assert "Urgent" in row.inner_text()
        assert owner.email not in doc.content()
        row.locator("a").first.click()
        doc.wait_for_url("**/clinician/case/*/")
        assert doc.locator("[data-testid=case-note]").inner_text() == "Noticed it three months ago"
        doc.wait_for_function("() => document.querySelector('[data-testid=case-photo]').naturalWidth > 0")
        # Heat map off by default, on with the switch; zoom enlarges the photo.
        heat = doc.locator("[data-testid=heatmap]")
        assert heat.evaluate("el => el.style.opacity") == "0"
        doc.check("[data-testid=heatmap-toggle]")
        assert heat.evaluate("el => el.style.opacity") != "0"
        width_before = doc.locator("[data-testid=case-photo]").bounding_box()["width"]
        doc.fill("[data-testid=zoom-range]", "200")
        assert doc.locator("[data-testid=case-photo]").bounding_box()["width"] > 1.5 * width_before

        doc.click("[data-testid=claim-button]")
        doc.wait_for_selector("[data-testid=claim-state][data-state=mine]")
        doc.check("input[name=verdict][value=disagree]")
        doc.select_option("#id_diagnosis_code", "mel")
        doc.check("input[name=urgency][value=soon]")
        doc.fill("#id_message", MESSAGE)
        doc.fill("#id_private_note", PRIVATE_NOTE)
        doc.click("[data-testid=feedback-submit]")
        doc.wait_for_selector("[data-testid=claim-state][data-state=reviewed]")
        assert doc.locator("[data-testid=feedback-version]").count() == 1
    finally:
        context.close()
    feedback = Feedback.objects.get()
    assert (feedback.author, feedback.diagnosis_code, feedback.urgency) == (clinician, "mel", "soon")
    assert CaseAccessLog.objects.filter(user=clinician, diagnosis=diagnosis, action="view").exists()

    # 3. Exactly one email arrives over SMTP: a link, no medical content.
    (email,) = smtp_catchall.wait_for(to=owner.email)
    body = message_text(email)
    assert "reviewed" in email["Subject"]
    assert MESSAGE not in body and PRIVATE_NOTE not in body and "Melanoma" not in body
    link = re.search(r"https?://\S+", body).group(0)
    assert link == f"{live_server.url}{diagnosis.get_absolute_url()}"

    # 4. The patient follows the link and reads the feedback; never the private note.
    page.goto(link)
    block = page.locator("[data-testid=clinician-feedback]")
    block.wait_for(state="visible")
    assert MESSAGE in block.inner_text()
    assert page.locator("[data-testid=feedback-urgency]").get_attribute("data-urgency") == "soon"
    assert "Melanoma" in page.locator("[data-testid=feedback-diagnosis]").inner_text()
    assert PRIVATE_NOTE not in page.content()
    page.goto(f"{live_server.url}{reverse('diagnosis:history')}")
    assert page.locator("[data-testid=history-reviewed]").count() == 1
    assert len(smtp_catchall.messages) == 1


def test_clinician_area_in_arabic_is_right_to_left(
    live_server: Any, browser_page: Any, owner: Any, clinician: Any, password: str
) -> None:

    case = CaseFactory(owner=owner, risk_tier="urgent", body_site="back")
    clinician.preferred_language = "ar"
    clinician.save(update_fields=["preferred_language"])
    page = browser_page
    login(page, live_server, clinician, password)
    page.goto(f"{live_server.url}{reverse('clinician:queue')}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", name="قائمة المراجعة").is_visible()
    assert "عاجل" in page.locator("[data-testid=queue-row]").first.inner_text()
    page.goto(f"{live_server.url}{reverse('clinician:case', kwargs={'pk': case.pk})}")
    assert page.get_by_test_id("claim-button").inner_text().strip() == "احجز هذه الحالة"
    assert page.get_by_text("ملاحظة سريرية خاصة").first.is_visible()
