"""The patient's record in Chromium: a report downloaded in English and Arabic, the export
downloaded, and the account deleted with no file left on disk.

Run: flock /tmp/jildi-heavy.lock .venv/bin/pytest -m browser records/tests/test_browser.py
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from diagnosis.models import Diagnosis
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import media_files
from diagnosis.tests.support import login
from records.tests.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page: Any, selector: str, into: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    target = into / download.suggested_filename
    download.save_as(target)
    return target


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Skin check report", "Screening support, not a diagnosis."]),
        ("ar", ["تقرير فحص الجلد", "إجاباتك"]),
    ],
)
def test_download_a_report(
    live_server: Any,
    browser_page: Any,
    owner: Any,
    password: str,
    tmp_path: Path,
    language: str,
    expected: list[str],
) -> None:
    owner.preferred_language = language
    owner.save(update_fields=["preferred_language"])
    diagnosis = DiagnosisFactory(owner=owner, answers={"itches": True})
    page = browser_page
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}{diagnosis.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == language
    pdf = _download(page, "[data-testid=report-link]", tmp_path)
    assert pdf.suffix == ".pdf"
    text = " ".join(pdf_text(pdf.read_bytes()).split())
    for phrase in expected:
        assert phrase in text


def test_export_then_delete_the_account_leaves_no_file(
    live_server: Any, browser_page: Any, owner: Any, password: str, tmp_path: Path, media_root: Path
) -> None:
    for _ in range(2):
        DiagnosisFactory(owner=owner, with_png=True)
    assert len(media_files(media_root)) == 6
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click("[data-testid=nav-my-data]")
    archive = _download(page, "[data-testid=export-submit]", tmp_path)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert len([n for n in names if n.startswith("photos/")]) == 2
        assert len(json.loads(zf.read("results.json"))["checks"]) == 2

    page.fill("#id_password", "not my password")
    page.click("[data-testid=delete-account-submit]")
    page.wait_for_selector("[data-testid=delete-error]")
    assert User.objects.filter(pk=owner.pk).exists()

    page.fill("#id_password", password)
    page.click("[data-testid=delete-account-submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert not User.objects.filter(pk=owner.pk).exists() and not Diagnosis.objects.exists()
    assert media_files(media_root) == []
    page.goto(f"{live_server.url}/diagnosis/")
    assert "/accounts/login/" in page.url
