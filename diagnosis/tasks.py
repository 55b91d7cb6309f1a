"""Celery tasks: thin wrappers that take a primary key and call one service.

Routed to the "inference" queue (settings CELERY_TASK_ROUTES "diagnosis.tasks.*").
acks_late + reject_on_worker_lost: a worker that dies mid-task leaves the
message to be redelivered; the sweeper covers messages lost in the broker.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from diagnosis.errors import TRANSIENT_ERRORS  # one list, shared with the service
from diagnosis.spots.tasks import result_ready

logger = logging.getLogger(__name__)


@shared_task(
    name="diagnosis.tasks.run_diagnosis",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def run_diagnosis(diagnosis_id: str) -> str | None:
    from diagnosis.services import diagnosis_run

    diagnosis = diagnosis_run(diagnosis_id=diagnosis_id)
    if diagnosis is not None and diagnosis.owner.notify_result_ready:  # "result ready" email, slow ones only
        result_ready.delay(str(diagnosis.pk))
    return diagnosis.status if diagnosis is not None else None


@shared_task(name="diagnosis.tasks.sweep_diagnoses", ignore_result=True)
def sweep_diagnoses(older_than_seconds: int = 300) -> dict[str, int]:
    from diagnosis.services import diagnoses_sweep

    return diagnoses_sweep(older_than=timedelta(seconds=older_than_seconds))
