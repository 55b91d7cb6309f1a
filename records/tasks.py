"""Celery beat: delete finished checks past DIAGNOSIS_RETENTION_DAYS (default queue)."""

from __future__ import annotations

from celery import shared_task

PURGE_EVERY_SECONDS = 24 * 3600.0


@shared_task(name="records.purge_expired", ignore_result=True)
def purge_expired() -> int:
    from records.deletion import diagnoses_purge_expired

    return diagnoses_purge_expired()


def _schedule() -> None:
    from celery import current_app

    schedule = dict(current_app.conf.beat_schedule or {})
    schedule.setdefault(
        "records-purge-expired", {"task": "records.purge_expired", "schedule": PURGE_EVERY_SECONDS}
    )
    current_app.conf.beat_schedule = schedule


_schedule()
