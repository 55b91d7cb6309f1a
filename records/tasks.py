"""Celery beat: delete finished checks past DIAGNOSIS_RETENTION_DAYS (default queue).

Scheduled by CELERY_BEAT_SCHEDULE in portal/settings/base.py."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="records.purge_expired", ignore_result=True)
def purge_expired() -> int:
    from records.deletion import diagnoses_purge_expired

    return diagnoses_purge_expired()
