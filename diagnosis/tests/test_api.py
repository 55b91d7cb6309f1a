"""API: a patient's diagnoses — access matrix, upload (202 + same validation as the
site), list filters and pagination, result fields, delete, file downloads, throttling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from diagnosis.models import Diagnosis, class_name
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import media_files
from portal.testing import error_code, token_client

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:diagnosis-list")

# (url name, method, status for the owner)
OBJECT_ENDPOINTS = [
    ("api:diagnosis-detail", "get", 200),
    ("api:diagnosis-image", "get", 200),
    ("api:diagnosis-thumbnail", "get", 200),
    ("api:diagnosis-heatmap", "get", 200),
    ("api:diagnosis-retry", "post", 202),
    ("api:diagnosis-detail", "delete", 204),
]
# Everyone but the owner: clinicians and admins use the clinician endpoints, not these.
NOT_OWNER = {"other_patient": 404, "clinician": 404, "admin": 404, "anonymous": 401, "unverified": 403}


def upload(name: str = "spot.jpg", content: bytes | None = None, **extra: Any) -> dict[str, Any]:
    data = {"image": SimpleUploadedFile(name, content if content is not None else images.jpeg())}
    data.update(extra)
    return data


@pytest.fixture
def done(owner: Any) -> Diagnosis:
    return DiagnosisFactory(owner=owner)


@pytest.mark.parametrize(("name", "method", "expected"), OBJECT_ENDPOINTS)
def test_owner_can_use_every_endpoint(
    api_clients: dict[str, APIClient], done: Diagnosis, enqueued: Any, name: str, method: str, expected: int
) -> None:
    response = getattr(api_clients["owner"], method)(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "_owner_status"), OBJECT_ENDPOINTS)
@pytest.mark.parametrize(("who", "expected"), sorted(NOT_OWNER.items()))
def test_nobody_else_can_use_them(
    api_clients: dict[str, APIClient],
    done: Diagnosis,
    enqueued: Any,
    who: str,
    expected: int,
    name: str,
    method: str,
    _owner_status: int,
) -> None:
    response = getattr(api_clients[who], method)(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == expected
    assert response.json()["error"]["code"]
    assert Diagnosis.objects.filter(pk=done.pk).exists()


# Every verified account may list (its own diagnoses only).
LIST_ACCESS = {
    "owner": 200,
    "other_patient": 200,
    "clinician": 200,
    "admin": 200,
    "anonymous": 401,
    "unverified": 403,
}


@pytest.mark.parametrize(("who", "expected"), sorted(LIST_ACCESS.items()))
def test_list_shows_only_your_own(
    api_clients: dict[str, APIClient], done: Diagnosis, who: str, expected: int
) -> None:
    response = api_clients[who].get(LIST_URL)
    assert response.status_code == expected
    if expected == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([str(done.pk)] if who == "owner" else [])


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("unverified", 403)])
def test_upload_needs_a_verified_account(
    api_clients: dict[str, APIClient], enqueued: Any, who: str, expected: int
) -> None:
    response = api_clients[who].post(LIST_URL, upload(), format="multipart")
    assert response.status_code == expected
    assert not Diagnosis.objects.exists()
    assert enqueued.ids == []


def test_unknown_or_malformed_id_is_json_404(owner: Any) -> None:
    client = token_client(owner)
    for pk in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = client.get(reverse("api:diagnosis-detail", kwargs={"pk": pk}))
        assert response.status_code == 404
        assert error_code(response) == "not_found"


def test_upload_returns_202_with_the_queued_resource(
    owner: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(owner).post(
            LIST_URL,
            upload(body_site="back", note="A month old", review_requested="false"),
            format="multipart",
        )
    assert response.status_code == 202
    body = response.json()
    diagnosis = Diagnosis.objects.get()
    assert body["id"] == str(diagnosis.pk)
    assert body["status"] == "queued"
    assert response["Location"] == body["links"]["self"]
    assert diagnosis.owner == owner
    assert (diagnosis.body_site, diagnosis.note, diagnosis.review_requested) == ("back", "A month old", False)
    assert enqueued.ids == [str(diagnosis.pk)]


def test_bad_upload_gives_the_sites_translated_message_and_leaves_nothing(
    owner: Any, enqueued: Any, media_root: Path
) -> None:
    client = token_client(owner)
    response = client.post(LIST_URL, upload("x.jpg", b"<html><script>alert(1)</script>"), format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["image"]
    english = error["fields"]["image"][0]
    arabic = client.post(
        LIST_URL + "?lang=ar", upload("x.jpg", b"<html><script>alert(1)</script>"), format="multipart"
    ).json()["error"]["fields"]["image"][0]
    msgid = "This file contains web page or script content and is not accepted as a photo."
    assert english == msgid
    with translation.override("ar"):
        assert arabic == gettext(msgid)  # the service's own message, in the request's language
    assert not Diagnosis.objects.exists()
    assert media_files(media_root) == []
    assert enqueued.ids == []


def test_missing_photo_and_bad_body_site_are_field_errors(owner: Any, enqueued: Any) -> None:
    response = token_client(owner).post(LIST_URL, {"body_site": "moon"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"image", "body_site"}


def test_json_body_is_refused_for_uploads(owner: Any) -> None:
    response = token_client(owner).post(LIST_URL, {"note": "x"}, format="json")
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_result_has_everything_promised(owner: Any, done: Diagnosis) -> None:
    body = token_client(owner).get(reverse("api:diagnosis-detail", kwargs={"pk": done.pk})).json()
    assert body["status"] == "done"
    assert body["model_version"] == "test-model-1"
    assert body["risk_tier"] == "monitor"
    assert body["ood_flag"] is False
    assert set(body["probabilities"]) == {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}
    assert [row["code"] for row in body["top3"]] == ["nv", "mel", "bkl"]
    assert body["top3"][0]["probability"] == pytest.approx(0.7)
    assert body["predicted_name"]
    assert body["links"]["heatmap"].endswith("/heatmap/")
    assert body["review"] is None
    grid = body["heatmap_grid"]
    assert (grid["rows"], grid["cols"], len(grid["values"])) == (7, 7, 49) and len(grid["box"]) == 4


def test_api_heat_map_png_is_rendered_once_and_kept_for_existing_clients(owner: Any, done: Diagnosis) -> None:
    client = token_client(owner)
    url = reverse("api:diagnosis-heatmap", kwargs={"pk": done.pk})
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert b"".join(first.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    done.refresh_from_db()
    name = done.heatmap.name
    assert name and client.get(url).status_code == 200
    done.refresh_from_db()
    assert done.heatmap.name == name


def test_result_names_follow_the_language(owner: Any, done: Diagnosis) -> None:
    client = token_client(owner)
    url = reverse("api:diagnosis-detail", kwargs={"pk": done.pk})
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert english["status_display"] == "Done"
    assert english["top3"][0]["name"] == "Mole (melanocytic nevus)"
    with translation.override("ar"):
        assert arabic["status_display"] == str(Diagnosis.Status.DONE.label)
        assert arabic["top3"][0]["name"] == class_name("nv")


def test_rejected_photo_shows_no_disease(owner: Any) -> None:
    rejected = DiagnosisFactory(owner=owner, status=Diagnosis.Status.REJECTED, ood_flag=True)
    body = token_client(owner).get(reverse("api:diagnosis-detail", kwargs={"pk": rejected.pk})).json()
    assert body["ood_flag"] is True
    assert body["top3"] == [] and body["probabilities"] == {} and body["predicted_class"] == ""
    assert body["links"]["heatmap"] is None and body["heatmap_grid"] is None
    response = token_client(owner).get(reverse("api:diagnosis-heatmap", kwargs={"pk": rejected.pk}))
    assert response.status_code == 404


def test_list_filters_and_paginates(owner: Any, other_patient: Any) -> None:
    for _ in range(3):
        DiagnosisFactory(owner=owner)
    urgent = DiagnosisFactory(owner=owner, risk_tier=Diagnosis.Risk.URGENT)
    failed = DiagnosisFactory(owner=owner, status=Diagnosis.Status.FAILED)
    DiagnosisFactory(owner=other_patient, risk_tier=Diagnosis.Risk.URGENT)
    client = token_client(owner)
    body = client.get(LIST_URL, {"page_size": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"]
    assert [r["id"] for r in client.get(LIST_URL, {"risk": "urgent"}).json()["results"]] == [str(urgent.pk)]
    assert [r["id"] for r in client.get(LIST_URL, {"status": "failed"}).json()["results"]] == [str(failed.pk)]
    bad = client.get(LIST_URL, {"status": "bogus"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]
    assert client.get(LIST_URL, {"page": 99}).status_code == 404
    assert client.get(LIST_URL, {"status": "", "risk": ""}).json()["count"] == 5  # blank = all


def test_delete_removes_row_and_files(owner: Any, done: Diagnosis, media_root: Path) -> None:
    assert media_files(media_root)
    response = token_client(owner).delete(reverse("api:diagnosis-detail", kwargs={"pk": done.pk}))
    assert response.status_code == 204
    assert not Diagnosis.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_delete_removes_files_after_commit(owner: Any, media_root: Path) -> None:
    diagnosis = DiagnosisFactory(owner=owner)
    token_client(owner).delete(reverse("api:diagnosis-detail", kwargs={"pk": diagnosis.pk}))
    assert media_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("api:diagnosis-image", "image/jpeg"),
        ("api:diagnosis-thumbnail", "image/jpeg"),
        ("api:diagnosis-heatmap", "image/png"),
    ],
)
def test_files_are_served_privately(owner: Any, done: Diagnosis, name: str, content_type: str) -> None:
    response = token_client(owner).get(reverse(name, kwargs={"pk": done.pk}), HTTP_ACCEPT=content_type)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:2] in (b"\xff\xd8", b"\x89P")


@override_settings(SENDFILE_NGINX=True)
def test_files_use_x_accel_redirect_behind_nginx(owner: Any, done: Diagnosis) -> None:
    response = token_client(owner).get(reverse("api:diagnosis-image", kwargs={"pk": done.pk}))
    assert response["X-Accel-Redirect"] == f"/protected/{done.image.name}"


def test_retry_requeues_a_failed_diagnosis(owner: Any, enqueued: Any) -> None:
    failed = DiagnosisFactory(owner=owner, status=Diagnosis.Status.FAILED, error_message="x")
    response = token_client(owner).post(reverse("api:diagnosis-retry", kwargs={"pk": failed.pk}))
    assert response.status_code == 202
    assert response.json()["status"] == "queued"


def test_uploads_are_throttled_per_user_with_retry_after(
    owner: Any, other_patient: Any, enqueued: Any, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "2/hour"},
    }
    client = token_client(owner)
    assert [client.post(LIST_URL, upload(), format="multipart").status_code for _ in range(2)] == [202, 202]
    response = client.post(LIST_URL, upload(), format="multipart")
    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert 3000 < int(response["Retry-After"]) <= 3600
    assert Diagnosis.objects.count() == 2
    # Reading is not throttled, and other users have their own allowance.
    assert client.get(LIST_URL).status_code == 200
    assert token_client(other_patient).post(LIST_URL, upload(), format="multipart").status_code == 202
