"""Fault drills: real worker, real broker, real database; parts fail on purpose.

Each drill submits diagnoses through the product's own service (diagnosis_create), breaks
something, and then proves that every submitted diagnosis ends done (or failed with a
reason): none lost, none duplicated (one row each, one heat map each, no stray files).

The drills stop and restart servers, so they run on their OWN throw-away PostgreSQL
(initdb into a temp dir, spare port, fsync off) and redis-server (spare port, nothing kept
on disk, like production Redis as a broker here): the machine's services and the rest of
the suite are never disturbed. PostgreSQL is the source of truth the sweeper recovers from.

    .venv/bin/pytest -m integration diagnosis/tests/test_fault_drills.py
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from diagnosis.tests import images
from diagnosis.tests.support import wait_until

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
DB_NAME = "jildi_drill"
FINAL = ("done", "rejected", "failed")
DRILL_TIMEOUT = 45.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; drop to the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Worker:
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pids(self) -> list[int]:
        found = [self.proc.pid]
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for pid in self.pids():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@dataclass
class Stack:
    """A private PostgreSQL + Redis + media root, and helpers to drive the product on them."""

    workdir: Path
    pg_port: int
    redis_port: int
    redis_proc: subprocess.Popen | None = None
    driver_proc: subprocess.Popen | None = None
    workers: list[Worker] = field(default_factory=list)

    @property
    def pg_data(self) -> Path:
        return self.workdir / "pg"

    @property
    def media(self) -> Path:
        return self.workdir / "media"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{DB_NAME}",
            "MEDIA_ROOT": str(self.media),
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_RESULT_BACKEND": self.redis_url,
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    # -- servers ----------------------------------------------------------------------------
    def start_postgres(self) -> None:
        opts = f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.workdir} -c fsync=off"
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-o", opts, "-w", "-t", "30"]
        subprocess.run(
            _as_postgres([*cmd, "-l", str(self.workdir / "pg.log"), "start"]), check=True, capture_output=True
        )

    def stop_postgres(self) -> None:
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "-w", "stop"]
        subprocess.run(_as_postgres(cmd), check=False, capture_output=True)

    def start_redis(self) -> None:
        cmd = [REDIS_SERVER, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.workdir)]
        self.redis_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.redis("PING") == "PONG", 10, "redis to start")

    def stop_redis(self) -> None:
        if self.redis_proc and self.redis_proc.poll() is None:
            self.redis_proc.kill()  # an abrupt crash: whatever was queued is gone
            self.redis_proc.wait(timeout=10)

    def redis(self, *args: str) -> str:
        out = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True, check=False
        )
        return out.stdout.strip()

    # -- database -----------------------------------------------------------------------------
    def sql(self, query: str, params: Any = None) -> list[tuple]:
        conn = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="postgres", dbname=DB_NAME)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def rows(self) -> dict[str, dict[str, Any]]:
        cols = ["id", "status", "error_message", "upload", "image", "thumbnail", "cam_grid", "attempts"]
        query = f"SELECT id::text, {', '.join(cols[1:])} FROM diagnosis_diagnosis"
        return {r[0]: dict(zip(cols, r, strict=True)) for r in self.sql(query)}

    def reset(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        self.sql("DELETE FROM diagnosis_diagnosis")
        self.redis("FLUSHALL")
        shutil.rmtree(self.media / "diagnoses", ignore_errors=True)

    # -- the product ----------------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 60) -> str:
        t = time.monotonic()
        out = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        print(f"[drill] manage {args[0]}: {time.monotonic() - t:.1f}s")
        return out.stdout

    def driver(self) -> subprocess.Popen:
        """The long-lived "web process" (Django started once; see drill_driver.py)."""
        if self.driver_proc is None or self.driver_proc.poll() is not None:
            self.driver_proc = subprocess.Popen(
                [PYTHON, "-m", "diagnosis.tests.drill_driver"],
                cwd=ROOT,
                env=self.env(DB_CONN_MAX_AGE="0"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert json.loads(self.driver_proc.stdout.readline()).get("ready")
        return self.driver_proc

    def call(self, **command: Any) -> dict:
        driver = self.driver()
        driver.stdin.write(json.dumps(command) + "\n")
        driver.stdin.flush()
        reply = json.loads(driver.stdout.readline())
        assert "error" not in reply, reply["error"]
        return reply

    def submit(self, count: int, photo: Path | None = None) -> list[str]:
        """Upload ``count`` photos through diagnosis_create (validate, store, enqueue on commit)."""
        t = time.monotonic()
        if photo is None:
            photo = self.workdir / "lesion.jpg"
            if not photo.exists():
                photo.write_bytes(images.lesion_jpeg())
        ids = self.call(op="submit", count=count, photo=str(photo))["ids"]
        print(f"[drill] submit {count}: {time.monotonic() - t:.1f}s")
        return ids

    def sweep(self, older_than: float = 1) -> dict[str, int]:
        """What celery beat runs every minute (diagnosis.tasks.sweep_diagnoses)."""
        return self.call(op="sweep", older_than=older_than)

    def start_worker(self, *, delay: float = 0.0, concurrency: int = 1, poison_size: str = "") -> Worker:
        name = f"drill-{uuid.uuid4().hex[:6]}@localhost"
        log_path = self.workdir / f"{name}.log"
        cmd = [
            PYTHON,
            "-m",
            "diagnosis.tests.drill_worker",
            "-Q",
            "inference,default",
            "-c",
            str(concurrency),
        ]
        cmd += ["-n", name, "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.env(DRILL_TASK_DELAY=str(delay), DRILL_POISON_SIZE=poison_size),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        t = time.monotonic()
        worker = Worker(proc, log_path)
        self.workers.append(worker)
        wait_until(
            lambda: " ready." in worker.log() or proc.poll() is not None, 60, "worker ready", worker.log
        )
        assert proc.poll() is None, worker.log()
        print(f"[drill] worker ready: {time.monotonic() - t:.1f}s")
        return worker

    # -- the invariant ---------------------------------------------------------------------------
    def wait_all_final(self, ids: list[str], *, sweep_every: float | None = None, log: Any = None) -> dict:
        """Wait until every row is final; optionally run the sweeper periodically (as beat does)."""
        deadline = time.monotonic() + DRILL_TIMEOUT
        next_sweep = time.monotonic() + (sweep_every or 0)
        while time.monotonic() < deadline:
            rows = self.rows()
            if all(rows.get(pk, {}).get("status") in FINAL for pk in ids):
                return rows
            if sweep_every is not None and time.monotonic() >= next_sweep:
                self.sweep(older_than=1)
                next_sweep = time.monotonic() + sweep_every
            time.sleep(0.1)
        logs = "\n".join(w.log()[-2000:] for w in self.workers)
        raise AssertionError(f"not all final after {DRILL_TIMEOUT}s: {self.rows()}\n{logs}")

    def assert_none_lost_none_duplicated(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        time.sleep(1.0)  # let any straggling duplicate delivery finish, then check again
        rows = self.rows()
        assert sorted(rows) == sorted(ids), "rows lost or invented"
        for pk in ids:
            row = rows[pk]
            assert row["status"] in FINAL, row
            if row["status"] == "failed":
                assert row["error_message"].strip(), f"failed without a reason: {row}"
            if row["status"] == "done":
                assert row["cam_grid"] and (self.media / row["image"]).is_file(), row
                assert not row["upload"], f"the original bytes outlived the decode: {row}"
        # Exactly the files the rows reference: a duplicate run that lost the race removed its
        # master and thumbnail, and every decoded upload's original bytes are gone.
        stored = sorted(p.name for p in (self.media / "diagnoses").glob("*"))
        expected = sorted(
            Path(r[key]).name for r in rows.values() for key in ("upload", "image", "thumbnail") if r[key]
        )
        assert stored == expected, f"stray or missing files: {stored} vs {expected}"
        return rows


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    from ml.predictor import default_model_dir

    if not (default_model_dir() / "metadata.json").is_file():
        pytest.skip("no shipped model in ml/models/<version>/")
    if not (PG_BIN / "initdb").exists() or not Path(REDIS_SERVER).exists():
        pytest.skip(f"needs {PG_BIN}/initdb and redis-server")
    # Not under pytest's private (0700) tmp root: the postgres user must reach its data dir.
    workdir = Path(tempfile.mkdtemp(prefix="jildi-drills-"))
    workdir.chmod(0o777)  # the postgres user writes its socket and log here
    (workdir / "media").mkdir()
    s = Stack(workdir=workdir, pg_port=_free_port(), redis_port=_free_port())
    s.pg_data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(s.pg_data, "postgres", "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(s.pg_data), "-U", "postgres", "-A", "trust", "--no-sync"]
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    s.start_postgres()
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=s.pg_port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB_NAME}")
        conn.close()
        s.start_redis()
        s.manage("migrate", "--noinput", "-v", "0", timeout=180)
        s.driver()
        yield s
    finally:
        for worker in s.workers:
            worker.stop()
        if s.driver_proc is not None:
            s.driver_proc.stdin.close()
            s.driver_proc.wait(timeout=20)
        s.stop_redis()
        s.stop_postgres()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def drill(stack: Stack) -> Iterator[Stack]:
    stack.reset()
    started = time.monotonic()
    yield stack
    for worker in stack.workers:
        worker.stop()
    stack.workers.clear()
    assert time.monotonic() - started < 60, "a drill must finish within 60 s"


def running_ids(stack: Stack) -> list[str]:
    return [r[0] for r in stack.sql("SELECT id::text FROM diagnosis_diagnosis WHERE status = 'running'")]


# --- the drills ------------------------------------------------------------------------------------


def test_worker_sigkilled_mid_task_every_diagnosis_still_finishes_once(drill: Stack) -> None:
    worker = drill.start_worker(delay=3.0)
    ids = drill.submit(3)
    in_flight = wait_until(lambda: running_ids(drill), 30, "a task in flight", worker.log)
    for pid in worker.pids():  # power cut: main process and pool child, no clean-up at all
        os.kill(pid, signal.SIGKILL)
    worker.proc.wait(timeout=10)
    assert drill.rows()[in_flight[0]]["status"] == "running"  # stranded: its message is unacked in Redis

    replacement = drill.start_worker()
    # The queued ones are still in Redis; the stranded one is re-sent by the sweeper (beat's job).
    rows = drill.wait_all_final(ids, sweep_every=2.0, log=replacement.log)
    rows = drill.assert_none_lost_none_duplicated(ids)
    assert all(rows[pk]["status"] in ("done", "rejected") for pk in ids), rows
    assert rows[in_flight[0]]["attempts"] >= 2  # it really was re-run, not skipped


def test_pool_process_sigkilled_mid_task_is_redelivered_without_the_sweeper(drill: Stack) -> None:
    worker = drill.start_worker(delay=3.0)
    ids = drill.submit(2)
    wait_until(lambda: running_ids(drill), 30, "a task in flight", worker.log)
    for pid in worker.pids()[1:]:  # only the pool child (the OOM killer's favourite)
        os.kill(pid, signal.SIGKILL)
    drill.wait_all_final(ids, sweep_every=None, log=worker.log)  # acks_late + reject_on_worker_lost
    rows = drill.assert_none_lost_none_duplicated(ids)
    assert all(rows[pk]["status"] in ("done", "rejected") for pk in ids), rows
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()


def test_redis_restarted_while_diagnoses_are_queued_the_sweeper_recovers_them_from_postgres(
    drill: Stack,
) -> None:
    ids = drill.submit(3)  # no worker yet: three messages wait in Redis
    assert int(drill.redis("LLEN", "inference") or 0) == 3
    drill.stop_redis()
    started = time.monotonic()
    ids += drill.submit(2)  # uploads while the broker is down still succeed (rows stay queued)
    assert time.monotonic() - started < 30, "an upload must not hang on a dead broker"
    drill.start_redis()  # comes back empty: nothing was kept on disk
    assert int(drill.redis("LLEN", "inference") or 0) == 0
    worker = drill.start_worker()
    time.sleep(1.0)
    assert all(r["status"] == "queued" for r in drill.rows().values())  # truly lost from the broker
    first = drill.sweep(older_than=0)
    assert first["requeued"] == 5
    assert drill.sweep(older_than=30)["requeued"] == 0  # a second sweep right away re-sends nothing
    drill.wait_all_final(ids, sweep_every=None, log=worker.log)
    rows = drill.assert_none_lost_none_duplicated(ids)
    assert all(rows[pk]["status"] in ("done", "rejected") for pk in ids), rows


def test_postgres_connection_dropped_during_a_task_the_task_retries_and_finishes(drill: Stack) -> None:
    worker = drill.start_worker(delay=2.0)
    ids = drill.submit(2)
    wait_until(lambda: running_ids(drill), 30, "a task in flight", worker.log)
    killed = drill.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        [DB_NAME],
    )
    assert killed, "the worker holds a database connection during the task"
    drill.wait_all_final(ids, sweep_every=None, log=worker.log)  # autoretry on OperationalError
    rows = drill.assert_none_lost_none_duplicated(ids)
    assert all(rows[pk]["status"] in ("done", "rejected") for pk in ids), (rows, worker.log()[-3000:])
    assert "OperationalError" in worker.log() or "InterfaceError" in worker.log()


def test_sweeper_requeues_stranded_work_and_fails_what_is_out_of_attempts(drill: Stack) -> None:
    ids = drill.submit(4)
    drill.redis("FLUSHALL")  # every message lost
    stranded, exhausted, fresh = ids[0], ids[1], ids[2]
    # A worker died long ago holding `stranded`; `exhausted` has crashed workers five times;
    # `fresh` is being worked on right now (must not be re-sent by a sweep with a 5-minute window).
    drill.sql(
        "UPDATE diagnosis_diagnosis SET status='running', attempts=1, started_at=now()-interval '10 minutes' "
        "WHERE id = %s",
        [stranded],
    )
    drill.sql(
        "UPDATE diagnosis_diagnosis SET status='running', attempts=5, started_at=now()-interval '10 minutes' "
        "WHERE id = %s",
        [exhausted],
    )
    drill.sql(
        "UPDATE diagnosis_diagnosis SET status='running', attempts=1, started_at=now() WHERE id = %s", [fresh]
    )
    drill.sql(
        "UPDATE diagnosis_diagnosis SET enqueued_at=now()-interval '10 minutes' WHERE id = %s", [ids[3]]
    )
    worker = drill.start_worker()
    result = drill.sweep(older_than=300)
    assert result == {"requeued": 2, "failed": 1, "orphans_removed": 0}, result
    assert drill.sweep(older_than=300)["requeued"] == 0  # nothing is re-sent twice
    time.sleep(1.5)
    assert drill.rows()[fresh]["status"] == "running"  # left alone: it is not stuck yet
    drill.wait_all_final(ids, sweep_every=2.0, log=worker.log)  # once it is stuck, it is re-sent too
    rows = drill.assert_none_lost_none_duplicated(ids)
    assert rows[exhausted]["status"] == "failed" and "several attempts" in rows[exhausted]["error_message"]
    assert all(rows[pk]["status"] in ("done", "rejected") for pk in (stranded, fresh, ids[3])), rows


def test_poison_photo_that_kills_its_worker_fails_after_the_attempt_limit_instead_of_looping(
    drill: Stack,
) -> None:
    # Every delivery of this photo kills the pool process; acks_late + reject_on_worker_lost
    # hand it straight back. The claim counts attempts, so it ends failed after the limit
    # (5, DIAGNOSIS_MAX_ATTEMPTS' default) without the sweeper, and the queue moves on.
    poison_photo = drill.workdir / "poison.jpg"
    poison_photo.write_bytes(images.jpeg((333, 222)))
    worker = drill.start_worker(poison_size="333x222")
    poison = drill.submit(1, photo=poison_photo)[0]
    healthy = drill.submit(1)
    rows = drill.wait_all_final([poison, *healthy], sweep_every=None, log=worker.log)
    assert rows[poison]["status"] == "failed", rows[poison]
    assert "several attempts" in rows[poison]["error_message"]
    assert rows[poison]["attempts"] == 5, rows[poison]
    rows = drill.assert_none_lost_none_duplicated([poison, *healthy])
    assert rows[healthy[0]]["status"] in ("done", "rejected"), rows
    assert worker.proc.poll() is None, "the worker itself survives its pool processes"
    assert worker.log().count("WorkerLostError") >= 5 or worker.log().count("SIGKILL") >= 5
