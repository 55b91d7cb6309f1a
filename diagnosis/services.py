"""Writes for diagnoses: create (check + store + enqueue), run (the worker's work), retry,
delete and the sweeper.

The web process imports this module too, so nothing here may import torch or ``ml.predictor``
at module level: the model is loaded lazily by ``diagnosis.analysis``, which only the worker
runs. The web process reads only an upload's header; the worker decodes it once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from diagnosis import analysis, media
from diagnosis.answers import model_answers
from diagnosis.decoding import DecodedPhoto
from diagnosis.errors import TRANSIENT_ERRORS
from diagnosis.framing import CropBox
from diagnosis.imaging import MSG_DAMAGED, inspect_upload
from diagnosis.models import Diagnosis, Spot

logger = logging.getLogger(__name__)


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


def _max_attempts() -> int:
    return settings.DIAGNOSIS_MAX_ATTEMPTS


def _locked(diagnosis_id: Any) -> Diagnosis | None:
    return Diagnosis.objects.select_for_update().filter(pk=diagnosis_id).first()


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
    upload: UploadedFile[bytes],
    body_site: str = "",
    note: str = "",
    review_requested: bool = True,
    crop: CropBox | None = None,
    answers: dict[str, Any] | None = None,
    spot: Spot | None = None,
    new_spot_name: str = "",
) -> Diagnosis:
    """Check an uploaded photo from its header, store its bytes privately, create the row and
    enqueue the analysis (which decodes it).

    ``crop`` is the patient's frame (displayed-photo pixels); ``answers`` is
    ``diagnosis.answers.answers_snapshot(...)``. Raises ValidationError for a bad upload or
    frame; then, and on any other failure, no row and no file are left behind.
    """
    info = inspect_upload(upload, crop=crop)  # raises before anything is written
    name = media.save_pending(info.data, ".upload")
    try:
        with transaction.atomic():
            if spot is None and new_spot_name.strip():  # "new spot" chosen on the upload page
                spot = Spot.objects.create(owner=owner, name=new_spot_name.strip(), body_site=body_site or "")
            diagnosis = Diagnosis.objects.create(
                owner=owner,
                upload=name,
                body_site=body_site or "",
                note=(note or "").strip(),
                review_requested=review_requested,
                answers=dict(answers or {}),
                crop_box=crop.as_list() if crop is not None else [],
                spot=spot,  # the patient's own spot (checked by diagnosis.spots.services)
            )
            media.settle([name])
            diagnosis_enqueue(diagnosis=diagnosis)
    except BaseException:
        media.delete_files([name])
        raise
    logger.info("diagnosis %s created (%s, %dx%d)", diagnosis.pk, info.source_format, info.width, info.height)
    return diagnosis


def _claim(diagnosis_id: str) -> Diagnosis | None:
    """Mark the row running; None if it is gone, already final or out of attempts.

    The attempt limit is enforced here, not only by the sweeper: with acks_late +
    reject_on_worker_lost, a photo that kills its worker is redelivered straight away,
    and every claim resets ``started_at``, so the sweeper would never see it as stuck.
    """
    with transaction.atomic():
        diagnosis = _locked(diagnosis_id)
        if diagnosis is None or diagnosis.status in Diagnosis.FINAL_STATUSES:
            return None
        if diagnosis.attempts >= _max_attempts():
            logger.warning("diagnosis %s failed: out of attempts (%d)", diagnosis_id, diagnosis.attempts)
            diagnosis.mark_failed(MSG_TOO_MANY_ATTEMPTS)
            return None
        diagnosis.mark_running()
        return diagnosis


def _end(diagnosis_id: str, *, failed: str = "", damaged: bool = False) -> Diagnosis | None:
    """Fail the row with ``failed``, or reject it as a damaged file (whose bytes are deleted)."""
    with transaction.atomic():
        diagnosis = _locked(diagnosis_id)
        if diagnosis is None or diagnosis.status in Diagnosis.FINAL_STATUSES:
            return diagnosis
        if not damaged:
            diagnosis.mark_failed(failed)
            return diagnosis
        names = [f.name for f in diagnosis.file_fields()]
        diagnosis.upload = diagnosis.image = diagnosis.thumbnail = ""
        diagnosis.save(update_fields=["upload", "image", "thumbnail"])
        diagnosis.mark_rejected("damaged", MSG_DAMAGED)
    media.delete_files(names)  # committed: the worker runs outside any transaction
    return diagnosis


def _store(diagnosis_id: str, photo: DecodedPhoto, result: dict[str, Any]) -> Diagnosis | None:
    """Write the master and thumbnail, store the result with them, then drop the upload's bytes."""
    written: list[str] = []
    if photo.jpeg:  # (rows from before uploads were decoded here keep their master)
        written = [media.save_pending(photo.jpeg, ".jpg"), media.save_pending(photo.thumbnail, ".jpg")]
    if written:
        result |= {"image": written[0], "thumbnail": written[1], "upload": ""}
        result |= {"image_width": photo.width, "image_height": photo.height}
    try:
        with transaction.atomic():
            current = _locked(diagnosis_id)
            if current is None or current.status in Diagnosis.FINAL_STATUSES:
                media.delete_files(written)  # deleted meanwhile, or a duplicate delivery won
                return current
            original = current.upload.name if written else ""
            current.mark_finished(result)
            media.settle(written)
        media.delete_files([original])  # committed: the worker runs outside any transaction
        return current
    except BaseException:
        media.delete_files(written)
        raise


def diagnosis_run(*, diagnosis_id: str) -> Diagnosis | None:
    """Claim -> analyse -> store (worker only). Idempotent: final rows are left alone.

    Transient infrastructure errors propagate so the task can retry; a damaged photo ends as
    rejected; anything else fails the diagnosis with a user-readable message.
    """
    diagnosis = _claim(diagnosis_id)
    if diagnosis is None:
        return Diagnosis.objects.filter(pk=diagnosis_id).first()
    cpu = time.process_time()
    try:
        predictor = analysis.load_predictor()
        photo = analysis.decode(diagnosis)  # decoded once; the model sees the same image
        prediction = predictor.predict(photo.image, answers=model_answers(diagnosis.answers))
        current = _store(diagnosis_id, photo, analysis.result_fields(prediction, predictor.reliability))
    except analysis.ModelUnavailable:
        logger.exception("no model available; diagnosis %s failed", diagnosis_id)
        return _end(diagnosis_id, failed=MSG_MODEL_MISSING)
    except ValidationError:
        logger.warning("diagnosis %s: the uploaded file is damaged", diagnosis_id)
        return _end(diagnosis_id, damaged=True)
    except FileNotFoundError:
        logger.exception("stored upload for %s missing", diagnosis_id)
        return _end(diagnosis_id, failed=MSG_IMAGE_MISSING)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        from celery.exceptions import SoftTimeLimitExceeded

        logger.exception("diagnosis %s failed", diagnosis_id)
        timed_out = isinstance(exc, SoftTimeLimitExceeded)
        return _end(diagnosis_id, failed=MSG_TIMEOUT if timed_out else MSG_UNEXPECTED)
    logger.info(
        "diagnosis %s %s (cpu %.3fs)",
        diagnosis_id,
        getattr(current, "status", "gone"),
        time.process_time() - cpu,
    )
    return current


def diagnosis_retry(*, diagnosis: Diagnosis) -> Diagnosis:
    """Put a failed diagnosis back in the queue."""
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        if locked.status != Diagnosis.Status.FAILED:
            return locked
        locked.requeue(fresh=True)
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
        transaction.on_commit(lambda: media.delete_files(names))


def diagnoses_sweep(
    *, older_than: timedelta, orphan_age: timedelta | None = None, scan_storage: bool = False
) -> dict[str, int]:
    """Re-queue diagnoses stuck in queued/running; fail those out of attempts; remove the files
    of requests and tasks that died (pending records; ``scan_storage``: list the whole folder)."""
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
                diagnosis.mark_failed(MSG_TOO_MANY_ATTEMPTS)
                failed += 1
                continue
            diagnosis.requeue()  # its clock reset, so the next sweep does not re-send it
            diagnosis_enqueue(diagnosis=diagnosis)
            requeued += 1
    age = orphan_age or timedelta(hours=1)
    removed = media.full_scan_orphans(age) if scan_storage else media.remove_orphans(age)
    if requeued or failed or removed:
        logger.info("sweep: requeued=%d failed=%d orphans_removed=%d", requeued, failed, removed)
    return {"requeued": requeued, "failed": failed, "orphans_removed": removed}
