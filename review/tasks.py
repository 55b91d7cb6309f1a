"""Celery beat housekeeping for clinician review (default queue, not inference).

Scheduled by ``CELERY_BEAT_SCHEDULE`` in portal/settings/base.py."""

from __future__ import annotations

from celery import shared_task

from review import services


@shared_task(name="diagnosis.review.sweep", ignore_result=True)  # type: ignore[untyped-decorator]  # celery: skipped (pyproject)
def review_sweep() -> dict[str, int]:
    return services.review_sweep()
