"""Celery beat: re-check reminders and "result ready" retries (default queue, not inference).

Scheduled by CELERY_BEAT_SCHEDULE in portal/settings/base.py."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="diagnosis.spots.send_notifications", ignore_result=True)
def send_notifications() -> dict[str, int]:
    from diagnosis.notifications import notifications_send_due

    return notifications_send_due()


@shared_task(name="diagnosis.spots.result_ready", ignore_result=True)
def result_ready(diagnosis_id: str) -> bool:
    from diagnosis.notifications import result_ready_notify

    return result_ready_notify(diagnosis_id=diagnosis_id)
