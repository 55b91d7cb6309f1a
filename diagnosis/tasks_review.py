"""Celery beat housekeeping for clinician review (default queue, not inference)."""

from __future__ import annotations

from celery import shared_task

REVIEW_SWEEP_EVERY_SECONDS = 300.0


@shared_task(name="diagnosis.review.sweep", ignore_result=True)
def review_sweep() -> dict[str, int]:
    from diagnosis.services_review import review_sweep as sweep

    return sweep()


def _schedule() -> None:
    from celery import current_app

    schedule = dict(current_app.conf.beat_schedule or {})
    schedule.setdefault(
        "diagnosis-review-sweep",
        {"task": "diagnosis.review.sweep", "schedule": REVIEW_SWEEP_EVERY_SECONDS},
    )
    current_app.conf.beat_schedule = schedule


_schedule()
