"""Account deletion and retention: rows and files go at once, through the storage API.

The clinicians' audit rows stay, keeping only the case reference (their link to the
check is SET_NULL when it is deleted)
(``diagnosis_ref``): their link to the deleted check is cleared.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User
from accounts.roles import can_review, is_admin, is_content_editor
from diagnosis.models import Diagnosis
from diagnosis.services import diagnosis_delete

logger = logging.getLogger(__name__)


def account_can_self_delete(*, user: User) -> bool:
    """Patients only: staff accounts (clinicians, admins, editors) are closed by an administrator,
    because their feedback and audit rows must keep their author."""
    return not (can_review(user) or is_admin(user) or is_content_editor(user) or user.is_staff)


def _user_sessions(user: User) -> list[str]:
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


def _delete_files(names: list[str]) -> int:
    removed = 0
    for name in names:
        try:
            default_storage.delete(name)
            removed += 1
        except OSError:
            logger.warning("could not delete %s", name, exc_info=True)
    return removed


def account_delete(*, user: User) -> int:
    """Delete the account and everything of it now: photos, heat maps and thumbnails (storage
    API), checks, spots, API tokens (knox), sessions, sign-in records. Returns files removed."""
    names = [f.name for d in Diagnosis.objects.filter(owner=user) for f in d.file_fields()]
    with transaction.atomic():
        AuthToken.objects.filter(user=user).delete()
        Session.objects.filter(session_key__in=_user_sessions(user)).delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username=user.email).delete()
        user_id = user.pk
        user.delete()  # cascades: checks, spots, feedback on them, email addresses
    removed = _delete_files(names)
    logger.info("account %s deleted with %d file(s)", user_id, removed)
    return removed


def retention_days() -> int:
    return settings.DIAGNOSIS_RETENTION_DAYS


def diagnoses_purge_expired(*, now: datetime | None = None) -> int:
    """Delete finished checks older than DIAGNOSIS_RETENTION_DAYS (0: keep), files included."""
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    finished = (*Diagnosis.FINAL_STATUSES, Diagnosis.Status.FAILED)
    expired = Diagnosis.objects.filter(created_at__lt=cutoff, status__in=finished)
    count = 0
    for diagnosis in expired.iterator():
        diagnosis_delete(diagnosis=diagnosis)
        count += 1
    if count:
        logger.info("retention: %d check(s) older than %d days deleted", count, days)
    return count
