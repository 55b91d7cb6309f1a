"""Writes for diagnoses: create (validate + store + enqueue), run (the worker's
work), retry, delete and the sweeper.

The web process imports this module too, so nothing here may import torch or
``ml.predictor`` at module level: the model is imported lazily inside
``diagnosis_run``, which only the Celery worker calls.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from diagnosis.answers import model_answers
from diagnosis.framing import CropBox
from diagnosis.imaging import validate_upload
from diagnosis.models import Diagnosis, Spot

logger = logging.getLogger(__name__)

UPLOAD_DIR = "diagnoses"
DEFAULT_MAX_ATTEMPTS = 5
OVERLAY_MAX_SIDE = 800  # heat maps are smooth; keeps the PNG ~0.4 MB for phones

# Error messages are stored in English (msgid) and translated when displayed.
MSG_MODEL_MISSING = gettext_noop(
    "The analysis model is not available on the server right now. Please try again later."
)
MSG_TOO_MANY_ATTEMPTS = gettext_noop(
    "The analysis could not be completed after several attempts. Please try again."
)
MSG_UNEXPECTED = gettext_noop("Something went wrong while analysing this photo. Please try again.")
MSG_TIMEOUT = gettext_noop("The analysis took too long and was stopped. Please try again.")
MSG_IMAGE_MISSING = gettext_noop("The stored photo could not be read. Please upload the photo again.")


def _random_name(suffix: str) -> str:
    return f"{UPLOAD_DIR}/{secrets.token_urlsafe(18)}{suffix}"


def _delete_files(names: list[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name, exc_info=True)


def diagnosis_enqueue(*, diagnosis: Diagnosis) -> None:
    """Send the task after the surrounding transaction commits (never before)."""
    pk = str(diagnosis.pk)

    def _send() -> None:
        from diagnosis.tasks import run_diagnosis

        try:
            run_diagnosis.delay(pk)
        except Exception:  # broker down: the row stays queued and the sweeper re-sends it
            logger.exception("could not enqueue diagnosis %s; the sweeper will retry", pk)

    transaction.on_commit(_send)


def diagnosis_create(
    *,
    owner: Any,
    upload: UploadedFile,
    body_site: str = "",
    note: str = "",
    review_requested: bool = True,
    crop: CropBox | None = None,
    answers: dict[str, Any] | None = None,
    spot: Spot | None = None,
    new_spot_name: str = "",
) -> Diagnosis:
    """Validate and store an uploaded photo, create the row, enqueue the analysis.

    ``crop`` is the patient's frame (displayed-photo pixels): only that part is stored.
    ``answers`` is ``diagnosis.answers.answers_snapshot(...)`` (the answers as given now).
    Raises django.core.exceptions.ValidationError for a bad upload or frame; in that case
    (and on any other failure) no row and no file are left behind.
    """
    clean = validate_upload(upload, crop=crop)  # raises before anything is written
    written: list[str] = []
    try:
        with transaction.atomic():
            written.append(default_storage.save(_random_name(".jpg"), ContentFile(clean.jpeg)))
            written.append(default_storage.save(_random_name(".jpg"), ContentFile(clean.thumbnail)))
            if spot is None and new_spot_name.strip():  # "new spot" chosen on the upload page
                spot = Spot.objects.create(owner=owner, name=new_spot_name.strip(), body_site=body_site or "")
            diagnosis = Diagnosis.objects.create(
                owner=owner,
                image=written[0],
                thumbnail=written[1],
                image_width=clean.width,
                image_height=clean.height,
                body_site=body_site or "",
                note=(note or "").strip(),
                review_requested=review_requested,
                answers=dict(answers or {}),
                crop_box=crop.as_list() if crop is not None else [],
                spot=spot,  # the patient's own spot (checked by diagnosis.spots.services)
            )
            diagnosis_enqueue(diagnosis=diagnosis)
            # If an outer transaction later rolls back, the files would be orphans;
            # the sweeper removes unreferenced files (diagnoses_sweep).
    except BaseException:
        _delete_files(written)
        raise
    logger.info(
        "diagnosis %s created (%s, %dx%d)", diagnosis.pk, clean.source_format, clean.width, clean.height
    )
    return diagnosis


def _transient_errors() -> tuple[type[BaseException], ...]:
    # Only infrastructure hiccups; an IntegrityError/DataError would fail again on retry.
    errors: list[type[BaseException]] = [OperationalError, InterfaceError, ConnectionError, TimeoutError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError

        errors.append(RedisConnectionError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def _claim(diagnosis_id: str) -> Diagnosis | None:
    """Mark the row running; None if it is gone, already final or out of attempts.

    The attempt limit is enforced here, not only by the sweeper: with acks_late +
    reject_on_worker_lost, a photo that kills its worker is redelivered straight away,
    and every claim resets ``started_at``, so the sweeper would never see it as stuck.
    """
    with transaction.atomic():
        diagnosis = Diagnosis.objects.select_for_update().filter(pk=diagnosis_id).first()
        if diagnosis is None:
            logger.info("diagnosis %s no longer exists; nothing to do", diagnosis_id)
            return None
        if diagnosis.status in Diagnosis.FINAL_STATUSES:
            logger.info("diagnosis %s already %s; not recomputed", diagnosis_id, diagnosis.status)
            return None
        if diagnosis.attempts >= _max_attempts():
            logger.warning(
                "diagnosis %s failed: %d attempts already made (limit %d); not run again",
                diagnosis_id,
                diagnosis.attempts,
                _max_attempts(),
            )
            diagnosis.status = Diagnosis.Status.FAILED
            diagnosis.error_message = MSG_TOO_MANY_ATTEMPTS
            diagnosis.finished_at = timezone.now()
            diagnosis.save(update_fields=["status", "error_message", "finished_at"])
            return None
        diagnosis.status = Diagnosis.Status.RUNNING
        diagnosis.started_at = timezone.now()
        diagnosis.attempts += 1
        diagnosis.error_message = ""
        diagnosis.save(update_fields=["status", "started_at", "attempts", "error_message"])
        return diagnosis


def _fail(diagnosis_id: str, message: str) -> None:
    with transaction.atomic():
        diagnosis = Diagnosis.objects.select_for_update().filter(pk=diagnosis_id).first()
        if diagnosis is None or diagnosis.status in Diagnosis.FINAL_STATUSES:
            return
        diagnosis.status = Diagnosis.Status.FAILED
        diagnosis.error_message = message
        diagnosis.finished_at = timezone.now()
        diagnosis.save(update_fields=["status", "error_message", "finished_at"])


def diagnosis_run(*, diagnosis_id: str) -> Diagnosis | None:
    """Analyse one diagnosis (worker only). Idempotent: final rows are left alone.

    Transient infrastructure errors (database, broker) propagate so the task can
    retry; anything else marks the diagnosis failed with a user-readable message.
    """
    diagnosis = _claim(diagnosis_id)
    if diagnosis is None:
        return Diagnosis.objects.filter(pk=diagnosis_id).first()
    started, cpu_started = time.monotonic(), time.process_time()

    try:
        from ml import predictor as ml_predictor  # lazy: worker only, never the web process
    except ImportError:  # e.g. onnxruntime not installed on this worker
        logger.exception("cannot import the predictor; diagnosis %s failed", diagnosis_id)
        _fail(diagnosis_id, MSG_MODEL_MISSING)
        return Diagnosis.objects.filter(pk=diagnosis_id).first()

    model_errors = tuple(
        getattr(ml_predictor, name)
        for name in ("ModelNotFoundError", "ModelIntegrityError")
        if hasattr(ml_predictor, name)
    )
    try:
        predictor = ml_predictor.get_predictor()
    except (*model_errors, ImportError):
        logger.exception("no model available; diagnosis %s failed", diagnosis_id)
        _fail(diagnosis_id, MSG_MODEL_MISSING)
        return Diagnosis.objects.filter(pk=diagnosis_id).first()

    from ml.imaging import load_image

    heatmap_name = ""
    try:
        try:
            with diagnosis.image.open("rb") as fh:
                # Decoded big enough for a sharp overlay; the predictor resizes anyway.
                image = load_image(fh, draft_size=(OVERLAY_MAX_SIDE, OVERLAY_MAX_SIDE))
        except (FileNotFoundError, ValueError):
            logger.exception("stored image for %s unreadable", diagnosis_id)
            _fail(diagnosis_id, MSG_IMAGE_MISSING)
            return Diagnosis.objects.filter(pk=diagnosis_id).first()
        # The patient's answers as given at upload (all optional).
        prediction = predictor.predict(image, answers=model_answers(diagnosis.answers))
        domain = prediction.domain
        reliability = predictor.reliability
        fields: dict[str, Any] = {
            "model_version": prediction.model_version,
            "ood_flag": bool(prediction.ood_flag),
            "ood_score": float(prediction.ood_score),
            "ood_reason": (prediction.ood_reason or "")[:20],
            # The model's view of the photo and its own measured figures for that kind of photo.
            "domain": domain,
            "domain_probability": float(prediction.domain_probability) if domain else None,
            "answers_used": list(prediction.answers_used),
            "reliability": dict(reliability.get(domain) or {}) if domain else {},
        }
        if prediction.ood_flag:
            # Not a usable skin photo: store no disease at all.
            fields.update(
                status=Diagnosis.Status.REJECTED,
                probabilities={},
                top3=[],
                predicted_class="",
                confidence=None,
                risk_tier="",
                cam_class="",
            )
        else:
            from ml.overlay import render_overlay

            png = render_overlay(image, prediction.cam, max_side=OVERLAY_MAX_SIDE, box=prediction.cam_box)
            heatmap_name = default_storage.save(_random_name(".png"), ContentFile(png))
            fields.update(
                status=Diagnosis.Status.DONE,
                probabilities={k: float(v) for k, v in prediction.probabilities.items()},
                top3=[[code, float(p)] for code, p in prediction.top3],
                predicted_class=prediction.predicted_class,
                confidence=float(prediction.confidence),
                risk_tier=prediction.risk_tier,
                cam_class=prediction.cam_class,
                heatmap=heatmap_name,
            )
        with transaction.atomic():
            current = Diagnosis.objects.select_for_update().filter(pk=diagnosis_id).first()
            if current is None or current.status in Diagnosis.FINAL_STATUSES:
                # Deleted meanwhile, or a duplicate delivery finished first.
                _delete_files([heatmap_name])
                return current
            old_heatmap = current.heatmap.name if current.heatmap else ""
            for key, value in fields.items():
                setattr(current, key, value)
            current.finished_at = timezone.now()
            current.error_message = ""
            current.save(update_fields=[*fields, "finished_at", "error_message"])
        if old_heatmap and old_heatmap != heatmap_name:
            _delete_files([old_heatmap])
        logger.info(
            "diagnosis %s %s in %.3fs (cpu %.3fs)",
            diagnosis_id,
            current.status,
            time.monotonic() - started,
            time.process_time() - cpu_started,
        )
        return current
    except _transient_errors():
        _delete_files([heatmap_name])
        raise
    except Exception as exc:
        _delete_files([heatmap_name])
        from celery.exceptions import SoftTimeLimitExceeded

        if isinstance(exc, SoftTimeLimitExceeded):
            _fail(diagnosis_id, MSG_TIMEOUT)
        else:
            logger.exception("diagnosis %s failed", diagnosis_id)
            _fail(diagnosis_id, MSG_UNEXPECTED)
        return Diagnosis.objects.filter(pk=diagnosis_id).first()


def diagnosis_retry(*, diagnosis: Diagnosis) -> Diagnosis:
    """Put a failed diagnosis back in the queue."""
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        if locked.status != Diagnosis.Status.FAILED:
            return locked
        locked.status = Diagnosis.Status.QUEUED
        locked.error_message = ""
        locked.attempts = 0
        locked.started_at = None
        locked.finished_at = None
        locked.enqueued_at = timezone.now()
        locked.save(
            update_fields=["status", "error_message", "attempts", "started_at", "finished_at", "enqueued_at"]
        )
        diagnosis_enqueue(diagnosis=locked)
    return locked


def diagnosis_request_review(*, diagnosis: Diagnosis) -> Diagnosis:
    """The patient asks for a clinician to look at this photo (e.g. after a rejected photo)."""
    if not diagnosis.review_requested:
        diagnosis.review_requested = True
        diagnosis.save(update_fields=["review_requested"])
    return diagnosis


def diagnosis_delete(*, diagnosis: Diagnosis) -> None:
    """Delete the row, then its files once the deletion has committed."""
    names = [f.name for f in diagnosis.file_fields()]
    with transaction.atomic():
        diagnosis.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _max_attempts() -> int:
    return int(getattr(settings, "DIAGNOSIS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def diagnoses_sweep(*, older_than: timedelta, orphan_age: timedelta | None = None) -> dict[str, int]:
    """Re-queue diagnoses stuck in queued/running; fail those out of attempts;
    remove media files that no row references (left by rolled-back requests).
    """
    before = timezone.now() - older_than
    requeued = failed = 0
    for pk in list(Diagnosis.objects.stuck(before=before).values_list("pk", flat=True)):
        with transaction.atomic():
            diagnosis = (
                Diagnosis.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=Diagnosis.PENDING_STATUSES)
                .first()
            )
            if diagnosis is None:
                continue
            if diagnosis.attempts >= _max_attempts():
                diagnosis.status = Diagnosis.Status.FAILED
                diagnosis.error_message = MSG_TOO_MANY_ATTEMPTS
                diagnosis.finished_at = timezone.now()
                diagnosis.save(update_fields=["status", "error_message", "finished_at"])
                failed += 1
                continue
            # Reset the clock so the same row is not re-sent on every sweep.
            diagnosis.status = Diagnosis.Status.QUEUED
            diagnosis.enqueued_at = timezone.now()
            diagnosis.save(update_fields=["status", "enqueued_at"])
            diagnosis_enqueue(diagnosis=diagnosis)
            requeued += 1
    removed = _remove_orphans(orphan_age or timedelta(hours=1))
    if requeued or failed or removed:
        logger.info("sweep: requeued=%d failed=%d orphans_removed=%d", requeued, failed, removed)
    return {"requeued": requeued, "failed": failed, "orphans_removed": removed}


def _remove_orphans(min_age: timedelta) -> int:
    try:
        _, files = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    if not files:
        return 0
    referenced: set[str] = set()
    for row in Diagnosis.objects.values_list("image", "thumbnail", "heatmap"):
        referenced.update(name for name in row if name)
    cutoff = timezone.now() - min_age
    removed = 0
    for filename in files:
        name = f"{UPLOAD_DIR}/{filename}"
        if name in referenced:
            continue
        try:
            if default_storage.get_modified_time(name) > cutoff:
                continue  # may belong to an upload whose transaction is still open
        except (OSError, NotImplementedError):
            continue
        _delete_files([name])
        removed += 1
    return removed
