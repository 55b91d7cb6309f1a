"""Web uploads: the same per-user limit as the API, and photos/results never cached."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from diagnosis.models import Diagnosis
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from portal.testing import token_client

pytestmark = pytest.mark.django_db


def post_upload(client: Client, **extra: Any) -> Any:
    payload = {"image": SimpleUploadedFile("IMG_0001.jpg", images.jpeg(), content_type="image/jpeg")}
    return client.post(reverse("diagnosis:upload"), payload, **extra)


@pytest.fixture
def done(owner: Any) -> Diagnosis:
    return DiagnosisFactory(owner=owner)


@pytest.fixture
def three_an_hour(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "3/hour"},
    }


def test_web_uploads_stop_at_the_per_user_limit_with_a_clear_message(
    owner_client: Client, enqueued: Any, three_an_hour: None
) -> None:
    for _ in range(3):
        assert post_upload(owner_client).status_code == 302
    response = post_upload(owner_client)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You have sent many photos in a short time. Please try again in" in response.content.decode()
    assert Diagnosis.objects.count() == 3


def test_the_camera_page_gets_the_limit_as_json(
    owner_client: Client, enqueued: Any, three_an_hour: None
) -> None:
    for _ in range(3):
        post_upload(owner_client, HTTP_ACCEPT="application/json")
    response = post_upload(owner_client, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "many photos" in response.json()["errors"][0]


def test_the_limit_message_is_in_arabic(owner_client: Client, enqueued: Any, three_an_hour: None) -> None:
    owner_client.cookies["django_language"] = "ar"
    for _ in range(3):
        post_upload(owner_client)
    response = post_upload(owner_client)
    assert response.status_code == 429
    assert "لقد أرسلت صورًا كثيرة في وقت قصير" in response.content.decode()


def test_web_and_api_share_one_budget(
    owner: Any, owner_client: Client, enqueued: Any, three_an_hour: None
) -> None:
    api: APIClient = token_client(owner)
    for _ in range(2):
        assert post_upload(owner_client).status_code == 302
    photo = SimpleUploadedFile("IMG_0002.jpg", images.jpeg(), content_type="image/jpeg")
    assert api.post("/api/v1/diagnoses/", {"image": photo}, format="multipart").status_code == 202
    assert post_upload(owner_client).status_code == 429


def test_the_limit_is_per_user(
    owner_client: Client, other_client: Client, enqueued: Any, three_an_hour: None
) -> None:
    for _ in range(3):
        post_upload(owner_client)
    assert post_upload(owner_client).status_code == 429
    assert post_upload(other_client).status_code == 302


@pytest.mark.parametrize("name", ["diagnosis:image", "diagnosis:thumbnail", "diagnosis:heatmap"])
def test_photos_are_never_stored_in_a_browser_cache(owner_client: Client, done: Diagnosis, name: str) -> None:
    response = owner_client.get(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("field", ["image", "thumbnail", "heatmap"])
def test_api_photos_are_never_stored_in_a_browser_cache(owner: Any, done: Diagnosis, field: str) -> None:
    response = token_client(owner).get(f"/api/v1/diagnoses/{done.pk}/{field}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_result_and_history_pages_are_never_cached(owner_client: Client, done: Diagnosis) -> None:
    for url in (done.get_absolute_url(), reverse("diagnosis:history")):
        assert "no-store" in owner_client.get(url)["Cache-Control"]
    assert "no-store" in token_client(done.owner).get(f"/api/v1/diagnoses/{done.pk}/")["Cache-Control"]
