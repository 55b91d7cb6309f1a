"""Celery beat: re-check reminders and "result ready" retries (default queue, not inference)."""

from __future__ import annotations

from celery import shared_task

NOTIFY_EVERY_SECONDS = 300.0


@shared_task(name="diagnosis.spots.send_notifications", ignore_result=True)
def send_notifications() -> dict[str, int]:
    from diagnosis.notifications import notifications_send_due

    return notifications_send_due()


@shared_task(name="diagnosis.spots.result_ready", ignore_result=True)
def result_ready(diagnosis_id: str) -> bool:
    from diagnosis.notifications import result_ready_notify

    return result_ready_notify(diagnosis_id=diagnosis_id)


def _schedule() -> None:
    from celery import current_app
    from django.conf import settings

    schedule = dict(current_app.conf.beat_schedule or {})
    schedule.setdefault(
        "diagnosis-spots-notifications",
        {
            "task": "diagnosis.spots.send_notifications",
            "schedule": float(getattr(settings, "REMINDER_CHECK_SECONDS", NOTIFY_EVERY_SECONDS)),
        },
    )
    current_app.conf.beat_schedule = schedule


_schedule()
