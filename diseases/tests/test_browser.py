"""End to end: a curator edits a page in the Arabic admin; visitors see it in both languages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from diseases.tests.factories import DiseaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cookie(live_server, name: str, value: str) -> dict:
    return {"name": name, "value": value, "url": live_server.url}


def test_admin_edits_page_in_arabic_admin_and_public_page_shows_both_languages(
    live_server, browser_page, admin_user
):
    disease = DiseaseFactory(code="psoriasis", name_en="Psoriasis", name_ar="الصدفية")
    client = Client()
    client.force_login(admin_user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page = browser_page
    page.context.add_cookies(
        [
            _cookie(live_server, settings.SESSION_COOKIE_NAME, session),
            _cookie(live_server, settings.LANGUAGE_COOKIE_NAME, "ar"),
        ]
    )

    page.goto(f"{live_server.url}/admin/diseases/disease/{disease.pk}/change/")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    arabic_summary = page.locator("#id_summary_ar")
    assert arabic_summary.get_attribute("dir") == "rtl"
    arabic_summary.fill("لويحات جلدية **متقشرة** تظهر غالبًا على المرفقين والركبتين.")
    page.locator("#id_summary_en").fill("Scaly **skin plaques**, often on elbows and knees.")
    page.locator("input[name='_save']").first.click()
    page.wait_for_url(re.compile(r"/admin/diseases/disease/$"))
    assert page.locator(".messagelist .success").count() == 1

    page.goto(f"{live_server.url}/diseases/psoriasis/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "الصدفية"
    assert "لويحات جلدية متقشرة تظهر" in page.locator("#summary").inner_text()
    assert page.locator("#summary strong").inner_text() == "متقشرة"

    page.context.add_cookies([_cookie(live_server, settings.LANGUAGE_COOKIE_NAME, "en")])
    page.goto(f"{live_server.url}/diseases/psoriasis/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("h1").inner_text() == "Psoriasis"
    assert page.locator("#summary strong").inner_text() == "skin plaques"


def test_list_search_filters_as_you_type(live_server, browser_page):
    DiseaseFactory(code="mel", name_en="Melanoma", name_ar="الورم الميلانيني", category="cancer")
    DiseaseFactory(code="acne", name_en="Acne", name_ar="حب الشباب")
    page = browser_page
    page.goto(f"{live_server.url}/diseases/")
    assert page.locator("#disease-results .card").count() == 2

    page.locator("#disease-search").press_sequentially("melan", delay=50)

    page.wait_for_function("() => document.querySelectorAll('#disease-results .card').length === 1")
    assert page.locator("#disease-results h3").inner_text() == "Melanoma"
    assert "q=melan" in page.url  # shareable, works without JavaScript too
