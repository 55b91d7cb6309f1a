from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from diagnosis import tasks
from diagnosis.models import Diagnosis
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import FakePredictor

ROOT = Path(__file__).resolve().parents[2]


def test_task_is_late_acked_retried_time_limited_and_routed_to_inference() -> None:
    from portal.celery import app

    task = tasks.run_diagnosis
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert OperationalError in task.autoretry_for and ConnectionError in task.autoretry_for
    assert task.retry_backoff and task.max_retries >= 3
    assert task.soft_time_limit < task.time_limit
    route = app.amqp.router.route({}, task.name, args=("x",), kwargs={})
    assert route["queue"].name == "inference"


@pytest.mark.django_db
def test_task_calls_the_service_and_is_idempotent(owner: Any, fake_predictor: FakePredictor) -> None:
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    assert tasks.run_diagnosis.apply(args=(str(diagnosis.pk),)).get() == "done"
    assert tasks.run_diagnosis.apply(args=(str(diagnosis.pk),)).get() == "done"
    assert fake_predictor.calls == 1


@pytest.mark.slow
def test_web_process_never_imports_torch_or_the_model() -> None:
    """Importing the urlconf, the views and rendering a page must not pull in torch/onnxruntime."""
    code = textwrap.dedent(
        """
        import os, sys
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
        import django
        django.setup()
        from django.urls import reverse
        import portal.urls, diagnosis.views, diagnosis.services, diagnosis.tasks, diagnosis.urls  # noqa
        from django.template.loader import get_template
        get_template("diagnosis/detail.html")
        bad = sorted(m for m in ("torch", "onnxruntime", "ml.predictor", "torchvision") if m in sys.modules)
        print("LOADED:" + ",".join(bad))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED:\n" in result.stdout or result.stdout.strip().endswith("LOADED:"), result.stdout


def test_celery_beat_runs_the_sweeper() -> None:
    from portal.celery import app

    entry = app.conf.beat_schedule["diagnosis-sweep"]
    assert entry["task"] == tasks.sweep_diagnoses.name
    assert entry["schedule"] <= 120
