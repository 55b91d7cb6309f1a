"""End-to-end load: real gunicorn + Celery worker(s) on loopback against a throw-away database,
12-MP JPEGs uploaded through the site, timed from upload start to result stored.

Then the same closed-loop load against the seed-style Flask baseline, where the result is
stored when the synchronous request returns.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import requests

from bench.stats import cpu_seconds, maps_mention, percentile, rss_mb, tree

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
BENCH_DB = "jildi_bench"
RESULT_TIMEOUT_S = 60.0
FINAL = ("done", "rejected", "failed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Config:
    web_workers: int = 2
    web_threads: int = 2
    worker_concurrency: int = 2
    worker_pool: str = "prefork"
    redis_url: str = "redis://127.0.0.1:6379/13"
    extra_env: dict[str, str] = field(default_factory=dict)


def bench_env(media_root: Path, cfg: Config) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG}/{BENCH_DB}",
        "MEDIA_ROOT": str(media_root),
        "REDIS_URL": cfg.redis_url,
        "CELERY_BROKER_URL": cfg.redis_url,
        "CELERY_RESULT_BACKEND": cfg.redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        # One bench user uploads thousands of photos: lift the per-user upload budget (30/hour).
        "API_UPLOAD_RATE": "1000000/hour",
        **cfg.extra_env,
    }


SETUP_SCRIPT = """
import django; django.setup()
from allauth.account.models import EmailAddress
from django.test import Client
from accounts.models import User
user = User.objects.create_user(
    email="bench@example.com", password="Bench-Only-Password-1", full_name="Bench"
)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


def _admin(*statements: str) -> None:
    conn = psycopg2.connect(f"{PG}/postgres")
    try:
        conn.autocommit = True  # DROP/CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def prepare_database(env: dict[str, str]) -> str:
    """Drop/create the throw-away database, migrate it, return a logged-in session key."""
    _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)", f"CREATE DATABASE {BENCH_DB}")
    py = str(VENV_BIN / "python")
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [py, "-c", SETUP_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def drop_database() -> None:
    _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready within {timeout}s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop(proc)


def wait_log(log: Path, needle: str, timeout: float, proc: subprocess.Popen[bytes]) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if needle in log.read_text(errors="replace"):
            return time.monotonic() - start
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.01)
    raise RuntimeError(f"{needle!r} not seen in {log} within {timeout}s")


# --- load generation -------------------------------------------------------------------------


@dataclass
class Outcome:
    latency_ms: float | None
    status: str  # final diagnosis status, or an error kind


# Sends one photo and waits for its result.
Submit = Callable[[requests.Session, bytes], Outcome]


class DoneWatcher:
    """One thread polls PostgreSQL for finished diagnoses (10 ms period) and wakes waiters."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        self.pending: dict[str, tuple[threading.Event, list[tuple[str, float]]]] = {}
        self.lock = threading.Lock()
        self.running = True
        self.queries = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def wait(self, pk: str, timeout: float) -> tuple[str, float] | None:
        event: threading.Event = threading.Event()
        slot: list[tuple[str, float]] = []
        with self.lock:
            self.pending[pk] = (event, slot)
        event.wait(timeout)
        with self.lock:
            self.pending.pop(pk, None)
        return slot[0] if slot else None

    def _loop(self) -> None:
        with self.conn.cursor() as cur:
            while self.running:
                with self.lock:
                    ids = list(self.pending)
                if ids:
                    cur.execute(
                        "SELECT id::text, status, extract(epoch from finished_at) FROM diagnosis_diagnosis "
                        "WHERE id = ANY(%s::uuid[]) AND status = ANY(%s)",
                        (ids, list(FINAL)),
                    )
                    self.queries += 1
                    for pk, status, finished in cur.fetchall():
                        with self.lock:
                            entry = self.pending.get(pk)
                        if entry:
                            entry[1].append((status, float(finished or time.time())))
                            entry[0].set()
                time.sleep(0.01)

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.conn.close()


def closed_loop(
    submit: Callable[[requests.Session, bytes], Outcome],
    photos: list[bytes],
    concurrency: int,
    duration: float,
) -> dict[str, Any]:
    """``concurrency`` clients, each uploading and waiting for its result, until ``duration``."""
    outcomes: list[tuple[float, float, Outcome]] = []
    lock = threading.Lock()
    start = time.time()
    deadline = start + duration

    def client(index: int) -> None:
        session = requests.Session()
        i = index
        while time.time() < deadline:
            t0 = time.time()
            outcome = submit(session, photos[i % len(photos)])
            i += concurrency
            with lock:
                outcomes.append((t0, time.time(), outcome))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = max((o[1] for o in outcomes), default=time.time())
    ok = [o for o in outcomes if o[2].latency_ms is not None and o[2].status in ("done", "rejected")]
    lat = [o[2].latency_ms for o in ok if o[2].latency_ms is not None]
    statuses = Counter(o[2].status for o in outcomes)
    return {
        "concurrency": concurrency,
        "window_s": round(end - start, 2),
        "submitted": len(outcomes),
        "completed": len(ok),
        "errors": len(outcomes) - len(ok),
        "statuses": dict(statuses),
        "throughput_per_s": round(len(ok) / (end - start), 2) if outcomes else 0.0,
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
    }


def product_submitter(base: str, session_key: str, watcher: DoneWatcher) -> Submit:
    csrf = "benchcsrftoken0123456789abcdefgh"  # 32 chars: a valid unmasked CSRF secret

    def submit(session: requests.Session, photo: bytes) -> Outcome:
        t0 = time.time()
        try:
            response = session.post(
                f"{base}/diagnosis/new/",
                files={"image": ("photo.jpg", photo, "image/jpeg")},
                data={"body_site": "back", "review_requested": ""},
                headers={"Accept": "application/json", "X-CSRFToken": csrf, "Referer": base + "/"},
                cookies={"sessionid": session_key, "csrftoken": csrf},
                timeout=RESULT_TIMEOUT_S,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return Outcome(None, f"http:{type(exc).__name__}")
        if response.status_code != 201:
            return Outcome(None, f"http:{response.status_code}")
        pk = response.json()["url"].rstrip("/").rsplit("/", 1)[-1]
        result = watcher.wait(pk, RESULT_TIMEOUT_S)
        if result is None:
            return Outcome(None, "timeout")
        status, finished = result
        return Outcome((finished - t0) * 1000.0, status)

    return submit


def baseline_submitter(base: str) -> Submit:
    def submit(session: requests.Session, photo: bytes) -> Outcome:
        t0 = time.time()
        try:
            response = session.post(
                f"{base}/predict",
                files={"image": ("photo.jpg", photo, "image/jpeg")},
                timeout=RESULT_TIMEOUT_S,
            )
        except requests.RequestException as exc:
            return Outcome(None, f"http:{type(exc).__name__}")
        if response.status_code != 200:
            return Outcome(None, f"http:{response.status_code}")
        return Outcome((time.time() - t0) * 1000.0, "done")

    return submit


def _cpu(pids: list[int]) -> float:
    return cpu_seconds(pids)


def run_product(
    photos: list[bytes], cfg: Config, durations: dict[int, float], workdir: Path
) -> dict[str, Any]:
    media = workdir / "media"
    media.mkdir()
    env = bench_env(media, cfg)
    import redis

    redis.Redis.from_url(cfg.redis_url).flushdb()
    t = time.monotonic()
    session_key = prepare_database(env)
    logger.info("bench database ready in %.1fs", time.monotonic() - t)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web_cmd = [str(VENV_BIN / "gunicorn"), "portal.wsgi:application", "-b", f"127.0.0.1:{port}"]
    web_cmd += ["-w", str(cfg.web_workers), "--threads", str(cfg.web_threads), "--log-level", "warning"]
    worker_cmd = [str(VENV_BIN / "celery"), "-A", "portal", "worker", "-Q", "inference,default"]
    worker_cmd += ["-c", str(cfg.worker_concurrency), "--pool", cfg.worker_pool, "-n", "bench@localhost"]
    worker_cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
    result: dict[str, Any] = {"config": {k: v for k, v in cfg.__dict__.items() if k != "redis_url"}}
    web_log, worker_log = workdir / "web.log", workdir / "worker.log"
    with started(web_cmd, env, web_log) as web:
        wait_http(f"{base}/health/", 60, web)
        spawn = time.monotonic()
        with started(worker_cmd, env, worker_log) as worker:
            result["worker_ready_s"] = round(wait_log(worker_log, " ready.", 60, worker), 2)
            watcher = DoneWatcher(f"{PG}/{BENCH_DB}")
            try:
                submit = product_submitter(base, session_key, watcher)
                first = submit(requests.Session(), photos[0])
                result["first_task"] = {
                    "status": first.status,
                    "latency_ms": round(first.latency_ms or -1, 1),
                    "since_worker_spawn_s": round(time.monotonic() - spawn, 2),
                }
                # Warm every worker process and web thread before measuring.
                closed_loop(submit, photos, max(2, cfg.worker_concurrency), 3.0)
                web_pids, worker_pids = tree(web.pid), tree(worker.pid)
                result["memory"] = {
                    "web_rss_mb": [rss_mb(p) for p in web_pids],
                    "web_torch_mapped": any(maps_mention(p, "libtorch") for p in web_pids),
                    "web_onnxruntime_mapped": any(maps_mention(p, "onnxruntime") for p in web_pids),
                    "worker_rss_mb": [rss_mb(p) for p in worker_pids],
                    "worker_child_rss_max_mb": max(rss_mb(p) for p in worker_pids[1:] or worker_pids),
                    "worker_torch_mapped": any(maps_mention(p, "libtorch") for p in worker_pids),
                }
                result["load"] = {}
                for conc, seconds in durations.items():
                    cpu0, wall0 = _cpu(web_pids) + _cpu(worker_pids), time.monotonic()
                    web0 = _cpu(web_pids)
                    load = closed_loop(submit, photos, conc, seconds)
                    web1, cpu1 = _cpu(web_pids), _cpu(web_pids) + _cpu(worker_pids)
                    if load["completed"]:
                        load["cpu_ms_per_diagnosis"] = {
                            "web": round((web1 - web0) * 1000 / load["completed"], 1),
                            "worker": round(((cpu1 - cpu0) - (web1 - web0)) * 1000 / load["completed"], 1),
                        }
                        load["cpu_utilisation"] = round((cpu1 - cpu0) / (time.monotonic() - wall0), 2)
                    result["load"][f"c{conc}"] = load
                    logger.info("product c=%d: %s", conc, load)
                result["poll_queries"] = watcher.queries
            finally:
                watcher.close()
    result["log_tail"] = {
        "web": web_log.read_text(errors="replace")[-1500:],
        "worker_errors": [ln for ln in worker_log.read_text(errors="replace").splitlines() if "ERROR" in ln][
            -10:
        ],
    }
    return result


def run_baseline(
    photos: list[bytes], durations: dict[int, float], workdir: Path, workers: int
) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BASELINE_OUT_DIR": str(workdir / "baseline-out"), "OMP_NUM_THREADS": "1"}
    cmd = [str(VENV_BIN / "gunicorn"), "bench.baselines.flask_app:app", "-b", f"127.0.0.1:{port}"]
    cmd += ["-w", str(workers), "--timeout", "120", "--log-level", "warning"]
    result: dict[str, Any] = {"config": {"gunicorn_sync_workers": workers, "torch_threads": 1}}
    with started(cmd, env, workdir / "baseline.log") as proc:
        result["ready_s"] = round(wait_http(f"{base}/health", 120, proc), 2)
        submit = baseline_submitter(base)
        closed_loop(submit, photos, workers, 3.0)
        result["rss_mb"] = [rss_mb(p) for p in tree(proc.pid)]
        result["load"] = {}
        for conc, seconds in durations.items():
            load = closed_loop(submit, photos, conc, seconds)
            result["load"][f"c{conc}"] = load
            logger.info("baseline c=%d: %s", conc, load)
    return result


def run(
    photos: list[bytes],
    cfg: Config,
    quick: bool,
    baseline: bool = True,
    variants: list[Config] | None = None,
) -> dict[str, Any]:
    durations = {1: 3.0, 8: 3.0, 16: 3.0} if quick else {1: 20.0, 8: 30.0, 16: 20.0}
    workdir = Path(tempfile.mkdtemp(prefix="jildi-bench-"))
    try:
        out: dict[str, Any] = {
            "durations_s": {f"c{k}": v for k, v in durations.items()},
            "product": run_product(photos, cfg, durations, workdir),
        }
        if baseline:
            out["baseline"] = run_baseline(photos, durations, workdir, workers=os.cpu_count() or 2)
        # Configuration tuning: the same c=8 load with one knob changed at a time.
        out["tuning"] = []
        for n, variant in enumerate(variants or []):
            vdir = workdir / f"variant-{n}"
            vdir.mkdir()
            measured = run_product(photos, variant, {8: 3.0 if quick else 15.0}, vdir)
            out["tuning"].append(
                {"config": measured["config"], "c8": measured["load"]["c8"], "memory": measured["memory"]}
            )
        return out
    finally:
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - manual smoke runs
    logging.basicConfig(level=logging.INFO)
    sys.exit(0)
