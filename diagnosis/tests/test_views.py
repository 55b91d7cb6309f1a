from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from diagnosis.models import Diagnosis
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import media_files
from review.models import CaseAccessLog

pytestmark = pytest.mark.django_db

# (url name, HTTP method, expected status for the owner)
OBJECT_URLS = [
    ("diagnosis:detail", "get", 200),
    ("diagnosis:status", "get", 200),
    ("diagnosis:image", "get", 200),
    ("diagnosis:thumbnail", "get", 200),
    ("diagnosis:heatmap", "get", 200),
    ("diagnosis:delete", "get", 200),
    ("diagnosis:delete", "post", 302),
    ("diagnosis:retry", "post", 302),
]


@pytest.fixture
def done(owner: Any) -> Diagnosis:
    return DiagnosisFactory(owner=owner)


@pytest.mark.parametrize(("name", "method", "expected"), OBJECT_URLS)
def test_owner_can_use_every_url(
    owner_client: Client, done: Diagnosis, name: str, method: str, expected: int
) -> None:
    response = getattr(owner_client, method)(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "expected"), OBJECT_URLS)
@pytest.mark.parametrize(
    "who",
    ["other_client", "clinician_client", "staff_client", "content_editor_client", "plain_staff_client"],
)
def test_everyone_but_the_owner_gets_404(
    request: pytest.FixtureRequest, done: Diagnosis, who: str, name: str, method: str, expected: int
) -> None:
    client = request.getfixturevalue(who)
    response = getattr(client, method)(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == 404
    assert Diagnosis.objects.filter(pk=done.pk).exists()


def test_the_owners_own_reads_are_not_audit_logged(owner_client: Client, done: Diagnosis) -> None:
    for name in ("diagnosis:detail", "diagnosis:image", "diagnosis:thumbnail", "diagnosis:heatmap"):
        assert owner_client.get(reverse(name, kwargs={"pk": done.pk})).status_code == 200
    assert not CaseAccessLog.objects.exists()


@pytest.mark.parametrize(("name", "method", "expected"), OBJECT_URLS)
def test_anonymous_is_sent_to_login(
    client: Client, done: Diagnosis, name: str, method: str, expected: int
) -> None:
    response = getattr(client, method)(reverse(name, kwargs={"pk": done.pk}))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert Diagnosis.objects.filter(pk=done.pk).exists()


@pytest.mark.parametrize("name", ["diagnosis:upload", "diagnosis:camera", "diagnosis:history"])
def test_pages_need_login(client: Client, owner_client: Client, name: str) -> None:
    assert client.get(reverse(name)).status_code == 302
    assert owner_client.get(reverse(name)).status_code == 200


def test_unknown_uuid_is_404(owner_client: Client) -> None:
    url = reverse("diagnosis:detail", kwargs={"pk": "7d1f0a52-7d59-4e0f-a3f1-4b0b1b3c1c11"})
    assert owner_client.get(url).status_code == 404


def test_private_media_is_not_cached_publicly(owner_client: Client, done: Diagnosis) -> None:
    response = owner_client.get(reverse("diagnosis:image", kwargs={"pk": done.pk}))
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_private_media_uses_x_accel_redirect_behind_nginx(
    owner_client: Client, done: Diagnosis, settings: Any
) -> None:
    settings.SENDFILE_NGINX = True
    response = owner_client.get(reverse("diagnosis:heatmap", kwargs={"pk": done.pk}))
    assert response.status_code == 200
    done.refresh_from_db()
    assert response["X-Accel-Redirect"] == f"/protected/{done.heatmap.name}"
    assert response.content == b""
    assert "private" in response["Cache-Control"]


def test_media_is_not_reachable_through_a_public_media_url(client: Client, done: Diagnosis) -> None:
    assert client.get(f"/media/{done.image.name}").status_code == 404
    assert client.get(f"/media-private/{done.image.name}").status_code == 404


def post_upload(client: Client, data: bytes, **extra: Any) -> Any:
    payload = {
        "image": SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg"),
        "body_site": "back",
        "note": "",
        "review_requested": "on",
    }
    return client.post(reverse("diagnosis:upload"), payload, **extra)


def test_upload_creates_a_diagnosis_and_redirects_to_its_result(
    owner_client: Client, owner: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(owner_client, images.jpeg())
    diagnosis = Diagnosis.objects.get()
    assert response.status_code == 302 and response["Location"] == diagnosis.get_absolute_url()
    assert diagnosis.owner == owner and diagnosis.review_requested and diagnosis.body_site == "back"
    assert enqueued.ids == [str(diagnosis.pk)]


def test_upload_page_has_camera_capture_input(owner_client: Client) -> None:
    html = owner_client.get(reverse("diagnosis:upload")).content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'name="review_requested"' in html and "checked" in html
    assert "Palms or soles (acral)" in html


def test_bad_upload_shows_the_message_and_leaves_nothing(
    owner_client: Client, media_root: Path, enqueued: Any
) -> None:
    response = post_upload(owner_client, b"<html><body>not a photo</body></html>")
    assert response.status_code == 400
    assert "web page or script content" in response.content.decode()
    assert Diagnosis.objects.count() == 0 and media_files(media_root) == []


def test_camera_upload_gets_json(owner_client: Client, enqueued: Any) -> None:
    response = post_upload(owner_client, images.jpeg(), HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert response.json()["url"] == Diagnosis.objects.get().get_absolute_url()
    bad = post_upload(owner_client, images.jpeg((30, 30)), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "too small" in bad.json()["errors"][0]


def test_pending_result_polls_and_final_result_stops_polling(owner_client: Client, owner: Any) -> None:
    queued = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    html = owner_client.get(queued.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert reverse("diagnosis:status", kwargs={"pk": queued.pk}) in html
    done = DiagnosisFactory(owner=owner)
    fragment = owner_client.get(reverse("diagnosis:status", kwargs={"pk": done.pk}))
    assert "hx-trigger" not in fragment.content.decode()
    assert fragment["Cache-Control"] == "no-store"


def test_heat_map_png_is_rendered_from_the_grid_on_first_request_and_kept(
    owner_client: Client, done: Diagnosis, media_root: Path
) -> None:
    assert not done.heatmap, "the worker stores the grid only"
    url = reverse("diagnosis:heatmap", kwargs={"pk": done.pk})
    first = owner_client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    png = b"".join(first.streaming_content)
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.size == (300, 200)
        assert img.getpixel((150, 100)) != img.getpixel((10, 100)), "hot centre, photo at the sides"
    done.refresh_from_db()
    stored = done.heatmap.name
    assert stored and (media_root / stored).exists()
    second = owner_client.get(url)
    assert b"".join(second.streaming_content) == png
    done.refresh_from_db()
    assert done.heatmap.name == stored and len(list((media_root / "diagnoses").glob("*.png"))) == 1


def test_result_page_draws_the_heat_map_on_a_canvas_from_the_grid(
    owner_client: Client, done: Diagnosis
) -> None:
    html = owner_client.get(done.get_absolute_url()).content.decode()
    assert '<canvas class="jd-overlay-heat" id="heatmap-layer"' in html
    assert 'data-rows="7" data-cols="7"' in html and 'data-photo-width="300"' in html
    assert "js/diagnosis/heatmap.js" in html
    assert reverse("diagnosis:heatmap", kwargs={"pk": done.pk}) not in html, "no PNG for the page"
    done.refresh_from_db()
    assert not done.heatmap


def test_older_result_with_a_png_heat_map_still_shows_it(owner_client: Client, owner: Any) -> None:
    older = DiagnosisFactory(owner=owner, with_png=True, cam_grid={})
    html = owner_client.get(older.get_absolute_url()).content.decode()
    assert reverse("diagnosis:heatmap", kwargs={"pk": older.pk}) in html and "<canvas" not in html


def test_done_result_shows_everything_promised(owner_client: Client, done: Diagnosis) -> None:
    html = owner_client.get(done.get_absolute_url()).content.decode()
    for expected in [
        'id="heatmap-layer"',
        'id="heatmap-opacity"',
        'id="heatmap-toggle"',
        "Mole (melanocytic nevus)",
        "width: 70.0%",
        "test-model-1",
        "Monitor: keep an eye on it",
        "not a diagnosis",
        "dermatoscope",
        reverse("diseases:detail", kwargs={"slug": "nv"}),
    ]:
        assert expected in html, expected


def test_urgent_result_gives_concrete_advice(owner_client: Client, owner: Any) -> None:
    urgent = DiagnosisFactory(
        owner=owner,
        risk_tier="urgent",
        predicted_class="mel",
        top3=[["mel", 0.81], ["nv", 0.1], ["bkl", 0.05]],
    )
    html = owner_client.get(urgent.get_absolute_url()).content.decode()
    assert "see a dermatologist soon" in html and "within 2 weeks" in html


def test_damaged_file_result_says_so_in_both_languages(owner_client: Client, owner: Any) -> None:
    from diagnosis.imaging import MSG_DAMAGED

    damaged = DiagnosisFactory(
        owner=owner,
        status=Diagnosis.Status.REJECTED,
        ood_reason="damaged",
        error_message=MSG_DAMAGED,
        image="",
        thumbnail="",
    )
    html = owner_client.get(damaged.get_absolute_url()).content.decode()
    assert 'data-kind="damaged_file"' in html and "damaged or incomplete" in html
    assert reverse("diagnosis:image", kwargs={"pk": damaged.pk}) not in html
    assert reverse("diagnosis:upload") in html
    owner_client.cookies["django_language"] = "ar"
    arabic = owner_client.get(damaged.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "damaged or incomplete" not in arabic and "تالف" in arabic


def test_rejected_result_shows_no_disease_only_retake_advice(owner_client: Client, owner: Any) -> None:
    rejected = DiagnosisFactory(owner=owner, status=Diagnosis.Status.REJECTED, ood_flag=True, ood_score=99.0)
    html = owner_client.get(rejected.get_absolute_url()).content.decode()
    assert "We could not analyse this photo" in html
    assert "Fill the frame" in html and reverse("diagnosis:camera") in html
    for disease_word in ("Melanoma", "Mole", "carcinoma", "heatmap-layer", 'data-testid="top3"'):
        assert disease_word not in html


def test_failed_result_offers_retry(
    owner_client: Client, owner: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    failed = DiagnosisFactory(
        owner=owner,
        status=Diagnosis.Status.FAILED,
        error_message="The analysis model is not available on the server right now. Please try again later.",
    )
    html = owner_client.get(failed.get_absolute_url()).content.decode()
    assert "The analysis failed" in html and "not available on the server" in html
    assert reverse("diagnosis:retry", kwargs={"pk": failed.pk}) in html
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("diagnosis:retry", kwargs={"pk": failed.pk}))
    assert Diagnosis.objects.get(pk=failed.pk).status == Diagnosis.Status.QUEUED
    assert enqueued.ids == [str(failed.pk)]


def test_delete_needs_confirmation_and_removes_files(
    owner_client: Client, done: Diagnosis, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("diagnosis:delete", kwargs={"pk": done.pk})
    confirm = owner_client.get(url)
    assert "permanently" in confirm.content.decode()
    assert Diagnosis.objects.filter(pk=done.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url)
    assert response["Location"] == reverse("diagnosis:history")
    assert not Diagnosis.objects.filter(pk=done.pk).exists()
    assert media_files(media_root) == []


def test_history_lists_only_own_diagnoses_with_filters_and_pages(
    owner_client: Client, owner: Any, other_patient: Any
) -> None:
    for _ in range(13):
        DiagnosisFactory(owner=owner)
    urgent = DiagnosisFactory(owner=owner, risk_tier="urgent")
    failed = DiagnosisFactory(owner=owner, status=Diagnosis.Status.FAILED)
    theirs = DiagnosisFactory(owner=other_patient)
    page1 = owner_client.get(reverse("diagnosis:history")).content.decode()
    assert page1.count('data-testid="history-item"') == 12
    assert "Page 1 of 2" in page1
    assert str(theirs.pk) not in page1
    page2 = owner_client.get(reverse("diagnosis:history") + "?page=2").content.decode()
    assert page2.count('data-testid="history-item"') == 3
    by_risk = owner_client.get(reverse("diagnosis:history") + "?risk=urgent").content.decode()
    assert by_risk.count('data-testid="history-item"') == 1 and str(urgent.pk) in by_risk
    by_status = owner_client.get(reverse("diagnosis:history") + "?status=failed").content.decode()
    assert by_status.count('data-testid="history-item"') == 1 and str(failed.pk) in by_status
    assert reverse("diagnosis:thumbnail", kwargs={"pk": urgent.pk}) in by_risk


def test_dashboard_offers_upload_camera_history_and_library(owner_client: Client, owner: Any) -> None:
    html = owner_client.get(reverse("home")).content.decode()
    for name in ("diagnosis:upload", "diagnosis:camera", "diagnosis:history", "diseases:list"):
        assert reverse(name) in html


def test_melanoma_flag_below_the_top_probability_is_explained(owner_client: Client, owner: Any) -> None:
    flagged = DiagnosisFactory(
        owner=owner,
        predicted_class="mel",
        risk_tier="urgent",
        top3=[["nv", 0.8], ["mel", 0.12], ["bkl", 0.04]],
    )
    html = owner_client.get(flagged.get_absolute_url()).content.decode()
    assert 'data-testid="flagged-class"' in html and "Melanoma" in html
    assert reverse("diseases:detail", kwargs={"slug": "mel"}) in html


def test_failure_message_is_shown_in_arabic(owner_client: Client, owner: Any) -> None:
    from diagnosis.services import MSG_MODEL_MISSING

    failed = DiagnosisFactory(owner=owner, status=Diagnosis.Status.FAILED, error_message=MSG_MODEL_MISSING)
    html = owner_client.get(failed.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert "نموذج التحليل غير متاح" in html and MSG_MODEL_MISSING not in html


def test_slow_pending_result_says_so(owner_client: Client, owner: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    queued = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    assert "slow-message" not in owner_client.get(queued.get_absolute_url()).content.decode()
    Diagnosis.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    fragment = owner_client.get(reverse("diagnosis:status", kwargs={"pk": queued.pk})).content.decode()
    assert "slow-message" in fragment and 'hx-trigger="every 5s"' in fragment
