from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone
from PIL import Image

from diagnosis import services
from diagnosis.imaging import MSG_DAMAGED
from diagnosis.models import Diagnosis, PendingFile
from diagnosis.services import (
    diagnoses_sweep,
    diagnosis_create,
    diagnosis_delete,
    diagnosis_retry,
    diagnosis_run,
)
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import FakePredictor, analysed, media_files
from diagnosis.tests.test_imaging import BAD_INPUTS, DAMAGED_INPUTS

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def create(owner: Any, data: bytes | None = None, **kwargs: Any) -> Diagnosis:
    return diagnosis_create(owner=owner, upload=upload(images.jpeg() if data is None else data), **kwargs)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_rejected_upload_leaves_no_row_and_no_file(
    case: str, owner: Any, media_root: Path, enqueued: Any
) -> None:
    with pytest.raises(ValidationError):
        create(owner, BAD_INPUTS[case][0])
    assert Diagnosis.objects.count() == 0
    assert media_files(media_root) == []
    assert enqueued.ids == []


@pytest.mark.parametrize("case", sorted(DAMAGED_INPUTS))
def test_damaged_file_found_by_the_worker_is_rejected_and_leaves_no_file(
    case: str, owner: Any, media_root: Path, enqueued: Any, fake_predictor: FakePredictor
) -> None:
    diagnosis = create(owner, DAMAGED_INPUTS[case])  # the header was fine: accepted and queued
    assert diagnosis.status == Diagnosis.Status.QUEUED and len(media_files(media_root)) == 1
    diagnosis = analysed(diagnosis)
    assert diagnosis.status == Diagnosis.Status.REJECTED
    assert (diagnosis.ood_reason, diagnosis.error_message) == ("damaged", MSG_DAMAGED)
    assert (diagnosis.predicted_class, diagnosis.top3, diagnosis.cam_grid) == ("", [], {})
    assert fake_predictor.calls == 0
    assert media_files(media_root) == [] and not diagnosis.file_fields()
    assert PendingFile.objects.count() == 0


def test_failure_after_files_were_written_removes_them(
    owner: Any, media_root: Path, monkeypatch: pytest.MonkeyPatch, enqueued: Any
) -> None:
    def broken_create(**kwargs: Any) -> None:
        raise OperationalError("database went away")

    monkeypatch.setattr(Diagnosis.objects, "create", broken_create)
    with pytest.raises(OperationalError):
        create(owner)
    assert media_files(media_root) == []


def test_create_stores_the_upload_and_the_worker_stores_clean_files(
    owner: Any,
    media_root: Path,
    enqueued: Any,
    django_capture_on_commit_callbacks: Any,
    fake_predictor: FakePredictor,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        diagnosis = create(
            owner, images.jpeg_with_gps(), body_site="back", note=" itchy ", review_requested=False
        )
        assert enqueued.ids == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    assert enqueued.ids == [str(diagnosis.pk)]
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.QUEUED
    assert (diagnosis.body_site, diagnosis.note, diagnosis.review_requested) == ("back", "itchy", False)
    # The web process kept the bytes as sent, privately under a random name, and decoded nothing.
    assert not diagnosis.image and diagnosis.upload.name.startswith("diagnoses/")
    assert "photo" not in diagnosis.upload.name and len(media_files(media_root)) == 1
    assert PendingFile.objects.count() == 0
    original = media_root / diagnosis.upload.name
    diagnosis = analysed(diagnosis)
    assert not original.exists() and not diagnosis.upload, "the original bytes are deleted"
    assert diagnosis.image.name.startswith("diagnoses/") and diagnosis.image.name.endswith(".jpg")
    assert len(media_files(media_root)) == 2 and PendingFile.objects.count() == 0
    assert fake_predictor.images[0].size == (200, 300), "the model gets the same decoded photo"
    stored = (media_root / diagnosis.image.name).read_bytes()
    assert b"Exif" not in stored and b"SecretPhone" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
        assert img.getexif().get_ifd(0x8825) == {}
        assert img.size == (200, 300)  # orientation applied before the metadata was dropped


def test_broker_outage_at_enqueue_does_not_fail_the_upload(
    owner: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from diagnosis import tasks

    def down(pk: str) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.run_diagnosis, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis = create(owner)
    assert Diagnosis.objects.get(pk=diagnosis.pk).status == Diagnosis.Status.QUEUED


def test_delete_removes_row_and_all_files(
    owner: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    diagnosis = DiagnosisFactory(owner=owner, with_png=True)
    assert len(media_files(media_root)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis_delete(diagnosis=diagnosis)
    assert not Diagnosis.objects.filter(pk=diagnosis.pk).exists()
    assert media_files(media_root) == []


def test_run_stores_the_full_result_and_heat_map_grid(
    owner: Any, fake_predictor: FakePredictor, media_root: Path
) -> None:
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    result = diagnosis_run(diagnosis_id=str(diagnosis.pk))
    assert result is not None
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.DONE
    assert diagnosis.predicted_class == "mel" and diagnosis.risk_tier == "urgent"
    assert diagnosis.top3[0] == ["mel", 0.6] and len(diagnosis.top3) == 3
    assert set(diagnosis.probabilities) == {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}
    assert diagnosis.model_version == "test-double-1"
    assert diagnosis.cam_class == "mel" and diagnosis.ood_flag is False
    assert diagnosis.started_at and diagnosis.finished_at and diagnosis.attempts == 1
    # The grid, not a PNG: a few dozen floats in 0..1 and the part of the photo they cover.
    grid = diagnosis.cam_grid
    assert (grid["rows"], grid["cols"], len(grid["values"])) == (7, 7, 49)
    assert all(0.0 <= v <= 1.0 for v in grid["values"]) and grid["values"][-1] == 1.0
    assert grid["box"] == [0.0, 0.0, 1.0, 1.0]
    assert not diagnosis.heatmap and diagnosis.has_heatmap
    assert len(media_files(media_root)) == 2 and not diagnosis.upload
    with Image.open(media_root / diagnosis.image.name) as img:
        assert img.format == "JPEG" and img.size == (300, 200)


def test_run_is_idempotent_for_finished_diagnoses(owner: Any, fake_predictor: FakePredictor) -> None:
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    first = Diagnosis.objects.get(pk=diagnosis.pk)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    again = Diagnosis.objects.get(pk=diagnosis.pk)
    assert fake_predictor.calls == 1
    assert (again.finished_at, again.cam_grid, again.image.name, again.attempts) == (
        first.finished_at,
        first.cam_grid,
        first.image.name,
        first.attempts,
    )


def test_redelivery_past_the_attempt_limit_fails_instead_of_running_again(
    owner: Any, fake_predictor: FakePredictor, settings: Any
) -> None:
    # A photo that kills its worker comes back (reject_on_worker_lost) with the row still
    # "running" and its attempts used up; it must end here, not loop forever.
    settings.DIAGNOSIS_MAX_ATTEMPTS = 5
    poison = DiagnosisFactory(owner=owner, status=Diagnosis.Status.RUNNING, attempts=5)
    last_try = DiagnosisFactory(owner=owner, status=Diagnosis.Status.RUNNING, attempts=4)
    diagnosis_run(diagnosis_id=str(poison.pk))
    poison.refresh_from_db()
    assert fake_predictor.calls == 0
    assert poison.status == Diagnosis.Status.FAILED and poison.attempts == 5
    assert poison.error_message == services.MSG_TOO_MANY_ATTEMPTS and poison.finished_at
    diagnosis_run(diagnosis_id=str(last_try.pk))
    last_try.refresh_from_db()
    assert fake_predictor.calls == 1
    assert last_try.status == Diagnosis.Status.DONE and last_try.attempts == 5


def test_run_for_a_deleted_diagnosis_does_nothing(fake_predictor: FakePredictor) -> None:
    assert diagnosis_run(diagnosis_id="00000000-0000-0000-0000-000000000000") is None
    assert fake_predictor.calls == 0


def test_not_a_skin_photo_is_rejected_without_any_disease(
    owner: Any, monkeypatch: pytest.MonkeyPatch, media_root: Path
) -> None:
    from ml import predictor as ml_predictor

    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: FakePredictor(ood=True))
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.REJECTED
    assert diagnosis.ood_flag is True and diagnosis.ood_score == 42.0
    assert (diagnosis.predicted_class, diagnosis.risk_tier, diagnosis.top3, diagnosis.probabilities) == (
        "",
        "",
        [],
        {},
    )
    assert not diagnosis.heatmap
    assert len(media_files(media_root)) == 2


@pytest.mark.parametrize(
    ("error", "detail"),
    [("ModelNotFoundError", "no model dir"), ("ModelIntegrityError", "checksum mismatch")],
    ids=["missing", "corrupted"],
)
def test_missing_or_corrupted_model_fails_with_a_clear_message(
    owner: Any, monkeypatch: pytest.MonkeyPatch, error: str, detail: str
) -> None:
    from ml import predictor as ml_predictor

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise getattr(ml_predictor, error)(detail)

    monkeypatch.setattr(ml_predictor, "get_predictor", unavailable)
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.FAILED
    assert diagnosis.error_message == services.MSG_MODEL_MISSING
    assert diagnosis.predicted_class == ""


def test_unexpected_error_fails_the_diagnosis_and_transient_error_propagates(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml import predictor as ml_predictor

    class Broken(FakePredictor):
        def __init__(self, exc: BaseException) -> None:
            super().__init__()
            self.exc = exc

        def predict(self, image: Any, answers: Any = None) -> Any:
            raise self.exc

    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: Broken(ValueError("bad tensor")))
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.FAILED
    assert diagnosis.error_message == services.MSG_UNEXPECTED

    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: Broken(OperationalError("db gone")))
    other = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    with pytest.raises(OperationalError):
        diagnosis_run(diagnosis_id=str(other.pk))
    other.refresh_from_db()
    assert other.status == Diagnosis.Status.RUNNING  # left for the retry / the sweeper


def test_retry_requeues_a_failed_diagnosis_only(
    owner: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    failed = DiagnosisFactory(owner=owner, status=Diagnosis.Status.FAILED, error_message="x", attempts=3)
    done = DiagnosisFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis_retry(diagnosis=failed)
        diagnosis_retry(diagnosis=done)
    failed.refresh_from_db()
    assert failed.status == Diagnosis.Status.QUEUED and failed.error_message == "" and failed.attempts == 0
    assert Diagnosis.objects.get(pk=done.pk).status == Diagnosis.Status.DONE
    assert enqueued.ids == [str(failed.pk)]


def test_sweeper_requeues_stuck_diagnoses_and_fails_hopeless_ones(
    owner: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    long_ago = timezone.now() - timedelta(minutes=30)
    stuck_queued = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    stuck_running = DiagnosisFactory(owner=owner, status=Diagnosis.Status.RUNNING, attempts=1)
    fresh = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    hopeless = DiagnosisFactory(owner=owner, status=Diagnosis.Status.RUNNING, attempts=5)
    done = DiagnosisFactory(owner=owner)
    Diagnosis.objects.filter(pk=stuck_queued.pk).update(enqueued_at=long_ago)
    Diagnosis.objects.filter(pk__in=[stuck_running.pk, hopeless.pk]).update(started_at=long_ago)
    Diagnosis.objects.filter(pk=done.pk).update(enqueued_at=long_ago, started_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        result = diagnoses_sweep(older_than=timedelta(minutes=5))
    assert result["requeued"] == 2 and result["failed"] == 1
    assert sorted(enqueued.ids) == sorted([str(stuck_queued.pk), str(stuck_running.pk)])
    assert Diagnosis.objects.get(pk=stuck_running.pk).status == Diagnosis.Status.QUEUED
    assert Diagnosis.objects.get(pk=hopeless.pk).status == Diagnosis.Status.FAILED
    assert Diagnosis.objects.get(pk=fresh.pk).status == Diagnosis.Status.QUEUED

    # A second sweep straight away does not resend the same rows.
    with django_capture_on_commit_callbacks(execute=True):
        assert diagnoses_sweep(older_than=timedelta(minutes=5))["requeued"] == 0


def test_sweeper_removes_old_unreferenced_pending_files_only(owner: Any, media_root: Path) -> None:
    kept = DiagnosisFactory(owner=owner)
    old = timezone.now() - timedelta(hours=3)
    (media_root / "diagnoses" / "orphan.jpg").write_bytes(images.jpeg())  # a request that died
    (media_root / "diagnoses" / "young.jpg").write_bytes(images.jpeg())  # one still open
    PendingFile.objects.create(name="diagnoses/orphan.jpg", created_at=old)
    PendingFile.objects.create(name="diagnoses/young.jpg")
    PendingFile.objects.create(name=kept.image.name, created_at=old)  # committed after all
    untracked = media_root / "diagnoses" / "untracked.jpg"
    untracked.write_bytes(images.jpeg())
    os.utime(untracked, (old.timestamp(), old.timestamp()))
    result = diagnoses_sweep(older_than=timedelta(minutes=5), orphan_age=timedelta(hours=1))
    assert result["orphans_removed"] == 1
    assert not (media_root / "diagnoses" / "orphan.jpg").exists()
    assert (media_root / "diagnoses" / "young.jpg").exists()
    assert untracked.exists(), "the minute sweep never lists the storage"
    assert all((media_root / f.name).exists() for f in kept.file_fields())
    assert list(PendingFile.objects.values_list("name", flat=True)) == ["diagnoses/young.jpg"]


def test_full_storage_scan_removes_old_unreferenced_files_only(owner: Any, media_root: Path) -> None:
    kept = DiagnosisFactory(owner=owner)
    orphan = media_root / "diagnoses" / "orphan.jpg"
    orphan.write_bytes(images.jpeg())
    young = media_root / "diagnoses" / "young.jpg"
    young.write_bytes(images.jpeg())
    old = (timezone.now() - timedelta(hours=3)).timestamp()
    os.utime(orphan, (old, old))
    result = diagnoses_sweep(
        older_than=timedelta(minutes=5), orphan_age=timedelta(hours=1), scan_storage=True
    )
    assert result["orphans_removed"] == 1
    assert not orphan.exists() and young.exists()
    assert all((media_root / f.name).exists() for f in kept.file_fields())


def test_sweep_command_runs(db: Any) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("sweep_diagnoses", "--older-than", "60", stdout=out)
    assert "requeued=0" in out.getvalue()
