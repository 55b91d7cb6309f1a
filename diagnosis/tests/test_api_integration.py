"""API end to end with a REAL Celery worker and the shipped model:
upload via the API -> worker analyses it -> result (and heat map) fetched via the API.

Run: .venv/bin/pytest -m integration diagnosis/tests/test_api_integration.py
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diagnosis.tests import images
from portal.testing import token_client

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shipped_model"),
]

FINAL = {"done", "rejected", "failed"}


def test_upload_via_api_is_analysed_by_a_real_worker_and_read_back(
    owner: Any, celery_worker_proc: Any
) -> None:
    real_lesion = images.lesion_image_path() is not None
    client = token_client(owner)
    upload = SimpleUploadedFile("lesion.jpg", images.lesion_jpeg(), content_type="image/jpeg")
    started = time.monotonic()
    response = client.post(
        reverse("api:diagnosis-list"), {"image": upload, "body_site": "back"}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    detail_url = response["Location"]

    deadline = time.monotonic() + 90
    body = response.json()
    while body["status"] not in FINAL:
        assert time.monotonic() < deadline, (
            f"not finished in 90s\n--- worker log ---\n{celery_worker_proc.log()}"
        )
        time.sleep(0.2)
        polled = client.get(detail_url)
        assert polled.status_code == 200
        body = polled.json()
    print(f"API upload -> {body['status']} through a real worker: {time.monotonic() - started:.2f}s")

    assert body["status"] != "failed", (body["error_message"], celery_worker_proc.log())
    assert body["model_version"]
    if not real_lesion and body["status"] == "rejected":
        # Without the HAM10000 sample a generated picture may be judged "not a skin photo":
        # that is a correct final answer, with no disease shown.
        assert body["ood_flag"] is True and body["top3"] == [] and body["links"]["heatmap"] is None
        return
    assert body["status"] == "done", body
    assert body["ood_flag"] is False
    assert len(body["top3"]) == 3
    probabilities = [row["probability"] for row in body["top3"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert abs(sum(body["probabilities"].values()) - 1.0) < 1e-3
    assert body["risk_tier"] in {"urgent", "routine", "monitor"}
    heatmap = client.get(body["links"]["heatmap"])
    assert heatmap.status_code == 200
    assert heatmap["Content-Type"] == "image/png"
    assert b"".join(heatmap.streaming_content).startswith(b"\x89PNG")
    listed = client.get(reverse("api:diagnosis-list"), {"status": "done"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
