"""A trivial task round-trips through a REAL worker process and the real Redis."""

from __future__ import annotations

import pytest

from portal.tasks import ping


@pytest.mark.integration
def test_ping_round_trips_through_a_real_worker(celery_worker_proc):
    result = ping.apply_async(args=["hello from pytest"])
    assert result.get(timeout=30) == "hello from pytest"
    assert "portal.tasks.ping" in celery_worker_proc.log()


@pytest.mark.integration
def test_worker_sees_the_test_database(celery_worker_proc, django_user_model):
    """Rows committed by a test are visible to the worker (same test database)."""
    from celery import current_app

    django_user_model.objects.create_user(email="visible@example.com", password="x")
    result = current_app.send_task("portal.tasks.count_users")
    assert result.get(timeout=30) == 1


def test_importing_the_celery_app_pins_numerical_libraries_to_one_thread():
    """Worker processes, not BLAS threads, are what scale: the pin must be in place before
    numpy loads (Django setup in the worker's parent), or idle BLAS threads eat CPU."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}}
    code = (
        "import os, portal.celery, numpy; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'], "
        "len(os.listdir('/proc/self/task')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["1", "1", "1"]
