"""A real Celery worker on the real Redis and PostgreSQL, with the committed model.

Run: .venv/bin/pytest -m integration diagnosis/tests/test_integration.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from diagnosis.models import Diagnosis
from diagnosis.services import diagnoses_sweep, diagnosis_create
from diagnosis.tests import images
from diagnosis.tests.fakes import media_files
from diagnosis.tests.support import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shipped_model"),
]

ROOT = Path(__file__).resolve().parents[2]
FINAL = {Diagnosis.Status.DONE, Diagnosis.Status.REJECTED, Diagnosis.Status.FAILED}


def final_status(pk: Any) -> Diagnosis | None:
    diagnosis = Diagnosis.objects.get(pk=pk)
    return diagnosis if diagnosis.status in FINAL else None


def lesion_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("lesion.jpg", images.lesion_jpeg(), content_type="image/jpeg")


def test_upload_is_analysed_by_a_real_worker(
    owner_client: Any, celery_worker_proc: Any, media_root: Path
) -> None:
    if images.lesion_image_path() is None:
        pytest.skip("HAM10000 validation images not present; a generated picture may be rejected as not skin")
    started = time.monotonic()
    response = owner_client.post(
        reverse("diagnosis:upload"), {"image": lesion_upload(), "body_site": "back", "review_requested": "on"}
    )
    assert response.status_code == 302
    pk = Diagnosis.objects.get().pk
    diagnosis = wait_until(lambda: final_status(pk), 90, "the diagnosis to finish", celery_worker_proc.log)
    elapsed = time.monotonic() - started
    assert diagnosis.status == Diagnosis.Status.DONE, (diagnosis.status, diagnosis.error_message)
    assert len(diagnosis.top3) == 3
    assert [p for _, p in diagnosis.top3] == sorted((p for _, p in diagnosis.top3), reverse=True)
    # The shipped decision rule may pick melanoma below the top probability (safety threshold).
    assert diagnosis.predicted_class in diagnosis.probabilities
    assert abs(sum(diagnosis.probabilities.values()) - 1.0) < 1e-3
    assert diagnosis.model_version and diagnosis.risk_tier in {"urgent", "routine", "monitor"}
    assert diagnosis.cam_class and diagnosis.cam_grid["rows"] * diagnosis.cam_grid["cols"] == len(
        diagnosis.cam_grid["values"]
    )
    # Decoded once in the worker: master and thumbnail stored, the original bytes gone.
    assert not diagnosis.upload and (media_root / diagnosis.image.name).is_file()
    assert sorted(p.name for p in media_files(media_root)) == sorted(
        Path(f.name).name for f in (diagnosis.image, diagnosis.thumbnail)
    )
    assert diagnosis.started_at and diagnosis.finished_at and diagnosis.attempts == 1
    print(f"upload -> done through a real worker (incl. model load): {elapsed:.2f}s")

    page = owner_client.get(diagnosis.get_absolute_url()).content.decode()
    assert 'id="heatmap-layer"' in page and "<canvas" in page and diagnosis.model_version in page
    assert owner_client.get(reverse("diagnosis:heatmap", kwargs={"pk": pk}))["Content-Type"] == "image/png"


# --- worker death -------------------------------------------------------------------------------


def child_pids(pid: int) -> list[int]:
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        pids.extend(int(c) for c in children)
    return pids


@contextmanager
def row_locked(pk: Any) -> Iterator[Any]:
    """Hold a row lock from another connection so the worker blocks while holding the task."""
    params = connection.get_connection_params()
    conn = psycopg2.connect(
        dbname=params.get("database") or params.get("dbname"),
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        password=params.get("password"),
    )
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM diagnosis_diagnosis WHERE id = %s FOR UPDATE", [str(pk)])
        yield conn
    finally:
        conn.rollback()
        conn.close()


def worker_waits_on_lock(lock_conn: Any) -> bool:
    with lock_conn.cursor() as cur:
        # Statistics views are snapshotted per transaction; the lock holder is in one.
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            ['SELECT "diagnosis_diagnosis".%'],  # long queries are truncated
        )
        return cur.fetchone()[0] > 0


def queued_diagnosis(owner: Any) -> Diagnosis:
    """A committed, queued diagnosis whose task message is waiting in Redis."""
    return diagnosis_create(owner=owner, upload=lesion_upload(), body_site="", note="", review_requested=True)


def test_killed_pool_process_task_is_redelivered_and_completed(
    owner: Any, request: pytest.FixtureRequest
) -> None:
    diagnosis = queued_diagnosis(owner)
    with row_locked(diagnosis.pk) as lock:
        worker = request.getfixturevalue("celery_worker_proc")  # starts after the message is queued
        wait_until(lambda: worker_waits_on_lock(lock), 60, "the worker to pick up the task", worker.log)
        children = child_pids(worker.proc.pid)
        assert children, worker.log()
        for child in children:
            os.kill(child, signal.SIGKILL)  # the process holding the task dies mid-task
    done = wait_until(lambda: final_status(diagnosis.pk), 90, "redelivery after the kill", worker.log)
    assert done.status in {Diagnosis.Status.DONE, Diagnosis.Status.REJECTED}, done.error_message
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()


@contextmanager
def own_worker(settings: Any, log_path: Path) -> Iterator[subprocess.Popen]:
    """A second, independent worker process (same recipe as the root conftest's fixture)."""
    from portal.celery import app

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "DB_CONN_MAX_AGE": "0",
    }
    hostname = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "portal", "worker", "-Q", "inference,default"]
    command += ["-c", "1", "-n", hostname, "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(
                lambda: any(hostname in r for r in app.control.ping(destination=[hostname], timeout=1.0)),
                90,
                "the second worker to start",
                log_path.read_text,
            )
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def test_whole_worker_killed_then_sweeper_and_new_worker_finish_the_job(
    owner: Any, request: pytest.FixtureRequest, settings: Any, tmp_path: Path
) -> None:
    diagnosis = queued_diagnosis(owner)
    with row_locked(diagnosis.pk) as lock:
        worker = request.getfixturevalue("celery_worker_proc")
        wait_until(lambda: worker_waits_on_lock(lock), 60, "the worker to pick up the task", worker.log)
        pids = [worker.proc.pid, *child_pids(worker.proc.pid)]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)  # power cut: the whole worker is gone, message unacked
        worker.proc.wait(timeout=10)
    # The message sits unacknowledged in Redis until its visibility timeout; the sweeper
    # (Postgres is the source of truth) re-sends the stuck row right away.
    wait_until(
        lambda: Diagnosis.objects.get(pk=diagnosis.pk).status in Diagnosis.PENDING_STATUSES, 10, "rollback"
    )
    assert diagnoses_sweep(older_than=timedelta(0))["requeued"] == 1
    log_path = tmp_path / "second-worker.log"
    with own_worker(settings, log_path):
        done = wait_until(lambda: final_status(diagnosis.pk), 90, "the new worker", log_path.read_text)
    assert done.status in {Diagnosis.Status.DONE, Diagnosis.Status.REJECTED}, done.error_message
    assert Diagnosis.objects.filter(status__in=Diagnosis.PENDING_STATUSES).count() == 0
