"""Where a diagnosis's files live: random private names, pending-file tracking, clean-up.

Every file is written under a random name, after its name was recorded as a ``PendingFile``
(committed on its own), and the record is deleted in the transaction that stores the reference.
So the sweeper finds the files of requests and tasks that died or rolled back by looking at old
``PendingFile`` rows, never by listing the storage (on S3 a listing costs one request per 1,000
objects, every minute). ``full_scan_orphans`` (``manage.py sweep_diagnoses --scan-storage``) is
the one-off listing for files written before this tracking existed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from diagnosis.models import Diagnosis, PendingFile

logger = logging.getLogger(__name__)

UPLOAD_DIR = "diagnoses"
ORPHAN_BATCH = 500


def random_name(suffix: str) -> str:
    return f"{UPLOAD_DIR}/{secrets.token_urlsafe(18)}{suffix}"


def save_pending(content: bytes, suffix: str) -> str:
    """Record a new random name as pending, then write ``content`` there; the stored name.

    Call it outside a transaction (as views and the worker do) so the record commits first.
    """
    name = random_name(suffix)
    record = PendingFile.objects.create(name=name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # the storage chose another name (never for a fresh random one)
        record.name = saved
        record.save(update_fields=["name"])
    return saved


def settle(names: list[str]) -> None:
    """The files are referenced now (call inside the transaction that stores the reference)."""
    PendingFile.objects.filter(name__in=[n for n in names if n]).delete()


def delete_files(names: Iterable[str | None]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name, exc_info=True)
            continue
        PendingFile.objects.filter(name=name).delete()


def _referenced(name: str) -> bool:
    return Diagnosis.objects.filter(
        Q(upload=name) | Q(image=name) | Q(thumbnail=name) | Q(heatmap=name)
    ).exists()


def remove_orphans(min_age: timedelta) -> int:
    """Delete the files of pending records older than ``min_age`` that no row references."""
    cutoff = timezone.now() - min_age
    removed = 0
    for record in PendingFile.objects.filter(created_at__lt=cutoff).order_by("created_at")[:ORPHAN_BATCH]:
        if not _referenced(record.name):
            try:
                default_storage.delete(record.name)
            except OSError:
                logger.warning("could not delete orphan %s", record.name, exc_info=True)
                continue
            removed += 1
        record.delete()
    return removed


def full_scan_orphans(min_age: timedelta) -> int:
    """List the whole upload folder and delete unreferenced files older than ``min_age``."""
    try:
        _, files = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    referenced: set[str] = set()
    for row in Diagnosis.objects.values_list("upload", "image", "thumbnail", "heatmap"):
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
        delete_files([name])
        removed += 1
    return removed
