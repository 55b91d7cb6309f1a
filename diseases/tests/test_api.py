"""API: the public disease library, in the language asked for (?lang= or Accept-Language)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from diseases.models import Category
from diseases.tests.factories import DiseaseFactory, DiseaseImageFactory, DiseaseReferenceFactory
from portal.testing import error_code

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:disease-list")


def detail_url(code: str) -> str:
    return reverse("api:disease-detail", kwargs={"code": code})


@pytest.fixture
def melanoma() -> Any:
    disease = DiseaseFactory(
        code="mel", name_en="Melanoma", name_ar="الورم الميلانيني", category=Category.CANCER
    )
    DiseaseReferenceFactory(disease=disease, title="DermNet", url="https://dermnetnz.org/topics/melanoma")
    return disease


@pytest.fixture
def draft() -> Any:
    return DiseaseFactory(code="draft-page", name_en="Draft page", published=False)


@pytest.mark.parametrize("who", ["owner", "other_patient", "clinician", "admin", "anonymous", "unverified"])
def test_library_is_public(api_clients: dict[str, APIClient], melanoma: Any, who: str) -> None:
    assert api_clients[who].get(LIST_URL).status_code == 200
    assert api_clients[who].get(detail_url("mel")).status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 404), ("clinician", 404), ("anonymous", 404), ("unverified", 404), ("admin", 200)],
)
def test_unpublished_pages_only_for_staff(
    api_clients: dict[str, APIClient], draft: Any, who: str, expected: int
) -> None:
    response = api_clients[who].get(detail_url("draft-page"))
    assert response.status_code == expected
    listed = [row["code"] for row in api_clients[who].get(LIST_URL).json()["results"]]
    assert "draft-page" not in listed


def test_language_from_query_parameter_or_accept_language(melanoma: Any) -> None:
    client = APIClient()
    assert client.get(detail_url("mel"), {"lang": "ar"}).json()["name"] == "الورم الميلانيني"
    arabic = client.get(detail_url("mel"), HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert arabic.json()["name"] == "الورم الميلانيني"
    assert arabic.json()["language"] == "ar"
    assert arabic["Content-Language"] == "ar"
    assert arabic.json()["sections"]["summary"] == melanoma.summary_ar
    # ?lang= wins over the header.
    assert (
        client.get(detail_url("mel"), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="ar").json()["name"] == "Melanoma"
    )
    assert client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["name"] == "Melanoma"


def test_detail_has_sections_references_and_images(melanoma: Any) -> None:
    DiseaseImageFactory(disease=melanoma)
    body = APIClient().get(detail_url("mel")).json()
    assert set(body["sections"]) >= {"summary", "symptoms", "when_to_see_doctor"}
    assert body["references"] == [{"title": "DermNet", "url": "https://dermnetnz.org/topics/melanoma"}]
    assert body["images"][0]["url"].startswith("/diseases/mel/images/")
    assert body["page"] == "/diseases/mel/"


def test_list_searches_filters_and_paginates(melanoma: Any) -> None:
    for _ in range(3):
        DiseaseFactory()
    client = APIClient()
    assert client.get(LIST_URL).json()["count"] == 4
    assert [r["code"] for r in client.get(LIST_URL, {"q": "ميلانيني"}).json()["results"]] == ["mel"]
    assert [r["code"] for r in client.get(LIST_URL, {"category": "cancer"}).json()["results"]] == ["mel"]
    page = client.get(LIST_URL, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    bad = client.get(LIST_URL, {"category": "nonsense"})
    assert bad.status_code == 400
    assert "category" in bad.json()["error"]["fields"]


def test_unknown_page_is_json_404() -> None:
    response = APIClient().get(detail_url("no-such-thing"))
    assert response.status_code == 404
    assert error_code(response) == "not_found"
