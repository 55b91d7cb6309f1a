"""Media on S3-compatible storage: a real S3 API (moto in server mode) on a loopback port.

The same permission-checked views hand out private objects, streamed or as a short-lived
presigned redirect; the full path (upload -> worker -> result) writes only to the bucket; the
sweeper finds orphans from its pending records without listing the bucket.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnosis.models import Diagnosis, PendingFile
from diagnosis.services import diagnoses_sweep
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import FakePredictor, analysed, media_files

pytestmark = pytest.mark.django_db

BUCKET = "jildi-test-media"
KEYS = {"access_key": "testing", "secret_key": "testing"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (real HTTP, real S3 protocol), for this module."""
    moto_server = pytest.importorskip("moto.server")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh private bucket, and settings as MEDIA_STORAGE=s3 would make them."""
    import boto3

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_boto_keys())
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_S3_SERVE = "stream"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "addressing_style": "path",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _boto_keys() -> dict[str, str]:
    return {"aws_access_key_id": KEYS["access_key"], "aws_secret_access_key": KEYS["secret_key"]}


def keys(client: Any) -> set[str]:
    return {obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_full_path_writes_only_private_objects_and_drops_the_original(
    bucket: Any, owner_client: Client, media_root: Path, enqueued: Any, fake_predictor: FakePredictor
) -> None:
    photo = SimpleUploadedFile("IMG_0001.jpg", images.jpeg_with_gps(), content_type="image/jpeg")
    assert owner_client.post(reverse("diagnosis:upload"), {"image": photo}).status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert keys(bucket) == {diagnosis.upload.name} and media_files(media_root) == []
    diagnosis = analysed(diagnosis)
    assert diagnosis.status == Diagnosis.Status.DONE and not diagnosis.upload
    assert keys(bucket) == {diagnosis.image.name, diagnosis.thumbnail.name}
    for key in keys(bucket):
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert all("URI" not in g["Grantee"] for g in grants), "no AllUsers/AuthenticatedUsers grant"
    stored = bucket.get_object(Bucket=BUCKET, Key=diagnosis.image.name)["Body"].read()
    assert stored[:2] == b"\xff\xd8" and b"SecretPhone" not in stored and b"Exif" not in stored
    assert PendingFile.objects.count() == 0 and media_files(media_root) == []


def test_stream_serves_the_private_object_to_the_owner_only(
    bucket: Any, owner_client: Client, request: pytest.FixtureRequest, owner: Any, client: Client
) -> None:
    done = DiagnosisFactory(owner=owner)
    url = reverse("diagnosis:image", kwargs={"pk": done.pk})
    response = owner_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert (
        b"".join(response.streaming_content)
        == bucket.get_object(Bucket=BUCKET, Key=done.image.name)["Body"].read()
    )
    for who in ("other_client", "clinician_client", "staff_client", "content_editor_client"):
        assert request.getfixturevalue(who).get(url).status_code == 404, who
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_redirect_hands_out_a_short_lived_presigned_url_after_the_same_check(
    bucket: Any, settings: Any, owner_client: Client, other_client: Client, owner: Any
) -> None:
    settings.MEDIA_S3_SERVE = "redirect"
    done = DiagnosisFactory(owner=owner)
    url = reverse("diagnosis:thumbnail", kwargs={"pk": done.pk})
    assert other_client.get(url).status_code == 404
    response = owner_client.get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    with urllib.request.urlopen(location, timeout=10) as fetched:
        assert fetched.headers["Content-Type"] == "image/jpeg"
        assert fetched.headers["Cache-Control"] == "private, no-store"
        assert fetched.read()[:2] == b"\xff\xd8"
    unsigned = location.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(unsigned + "?X-Amz-Expires=60", timeout=10)


def test_api_heat_map_png_is_rendered_into_the_bucket_once(bucket: Any, owner: Any) -> None:
    from rest_framework.test import APIClient

    done = DiagnosisFactory(owner=owner)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.get(reverse("api:diagnosis-heatmap", kwargs={"pk": done.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"\x89PNG"
    done.refresh_from_db()
    assert done.heatmap.name in keys(bucket)


def test_sweeper_removes_bucket_orphans_from_pending_records_without_listing(
    bucket: Any, owner: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    kept = DiagnosisFactory(owner=owner)
    bucket.put_object(Bucket=BUCKET, Key="diagnoses/orphan.jpg", Body=images.jpeg())
    PendingFile.objects.create(name="diagnoses/orphan.jpg", created_at=timezone.now() - timedelta(hours=2))

    def no_listing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the sweeper listed the bucket")

    monkeypatch.setattr(type(default_storage._wrapped), "listdir", no_listing, raising=False)
    assert diagnoses_sweep(older_than=timedelta(minutes=5))["orphans_removed"] == 1
    assert "diagnoses/orphan.jpg" not in keys(bucket)
    assert {kept.image.name, kept.thumbnail.name} <= keys(bucket)
    with django_capture_on_commit_callbacks(execute=True):
        from diagnosis.services import diagnosis_delete

        diagnosis_delete(diagnosis=kept)
    assert keys(bucket) == set()
