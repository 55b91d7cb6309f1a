"""Shared pytest fixtures (see /tmp/jildi/contract.md): named users, logged-in
clients, a real SMTP catch-all, a Playwright browser page and a real Celery worker."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from diagnosis.tests.fakes import Enqueued, FakePredictor
from portal.testing import CHROMIUM, PASSWORD, make_staff_user, make_user, token_client

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run next to one unless told it is safe (it is: one thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Rate-limit counters live in the shared (Redis) cache: every test starts from zero.

    Only this process's keys go (portal.cache.RedisCache.clear), never other runs'.
    """
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def owner(db: Any) -> Any:
    return make_user("owner@example.com", full_name="Olivia Owner")


@pytest.fixture
def other_patient(db: Any) -> Any:
    return make_user("stranger@example.com", full_name="Sam Stranger")


@pytest.fixture
def clinician(db: Any) -> Any:
    return make_staff_user("clinician@example.com", full_name="Dr Clara Clinician", is_clinician=True)


@pytest.fixture
def admin_user(db: Any) -> Any:
    """Overrides pytest-django's admin_user so it is an email-login superuser."""
    return make_staff_user("admin@example.com", full_name="Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def group_admin(db: Any) -> Any:
    """An admin through the "Administrators" group (staff, not a superuser)."""
    from accounts.services import user_grant_admin

    return user_grant_admin(user=make_staff_user("group-admin@example.com", full_name="Gil Group-Admin"))


@pytest.fixture
def content_editor(db: Any) -> Any:
    """Staff account in the "Content editors" group (created by migration diseases/0002)."""
    from diseases.services import content_editor_grant

    user = make_staff_user("editor@example.com", full_name="Eddie Editor")
    content_editor_grant(user=user)
    return user


@pytest.fixture
def plain_staff(db: Any) -> Any:
    """``is_staff`` and nothing else: no group, no permission, no role."""
    return make_staff_user("staff@example.com", full_name="Stu Staff", is_staff=True)


def _client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner: Any) -> Any:
    return _client_for(owner)


@pytest.fixture
def other_client(other_patient: Any) -> Any:
    return _client_for(other_patient)


@pytest.fixture
def clinician_client(clinician: Any) -> Any:
    return _client_for(clinician)


@pytest.fixture
def staff_client(admin_user: Any) -> Any:
    """Logged in as the superuser admin (the name predates "staff is not a role")."""
    return _client_for(admin_user)


@pytest.fixture
def group_admin_client(group_admin: Any) -> Any:
    return _client_for(group_admin)


@pytest.fixture
def content_editor_client(content_editor: Any) -> Any:
    return _client_for(content_editor)


@pytest.fixture
def plain_staff_client(plain_staff: Any) -> Any:
    return _client_for(plain_staff)


# --- real SMTP catch-all -------------------------------------------------------------


@dataclass
class SmtpCatchall:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, *, to: str | None = None, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        """Block until ``count`` messages (optionally to ``to``) have arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.messages if to is None or to in str(m.get("To", ""))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no email to {to!r} within {timeout}s; got {len(self.messages)}")
                self._cond.wait(remaining)

    def _add(self, message: EmailMessage) -> None:
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()


@pytest.fixture
def smtp_catchall(settings: Any) -> Iterator[SmtpCatchall]:
    """An aiosmtpd server on a free loopback port; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    catchall = SmtpCatchall(host="127.0.0.1", port=free_port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            catchall._add(parsed)  # type: ignore[arg-type]
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = catchall.host
    settings.EMAIL_PORT = catchall.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield catchall
    finally:
        controller.stop()


# --- Playwright -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One headless Debian Chromium per test session (use browser_page for a fresh page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-dev-shm-usage",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh Chromium page (own cookies/localStorage) per test; 1280x900, English UI."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    # Generous: CI machines here are shared with model training, and a page load
    # includes Bootstrap, the Arabic font and htmx served by the live server.
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


# --- real Celery worker ---------------------------------------------------------------


@dataclass
class WorkerProc:
    proc: subprocess.Popen
    hostname: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def celery_worker_proc(transactional_db: Any, settings: Any, tmp_path: Path) -> Iterator[WorkerProc]:
    """Start a real ``celery worker`` subprocess against the real Redis and the test database.

    Data the test writes must be committed for the worker to see it, hence
    ``transactional_db``. The worker uses portal.settings.test (Redis DB 15).
    """
    from portal.celery import app

    db = settings.DATABASES["default"]
    database_url = "postgres://{user}@{host}:{port}/{name}".format(
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        name=db["NAME"],
    )
    if db.get("PASSWORD"):
        database_url = database_url.replace("@", f":{db['PASSWORD']}@", 1)
    hostname = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path / "celery-worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "DB_CONN_MAX_AGE": "0",
    }
    celery_bin = ROOT / ".venv" / "bin" / "celery"
    command = [str(celery_bin) if celery_bin.exists() else "celery"]
    command += ["-A", "portal", "worker", "-Q", "inference,default", "-c", "1", "--pool", "prefork"]
    command += ["-n", hostname, "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    log_file = log_path.open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    worker = WorkerProc(proc=proc, hostname=hostname, log_path=log_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early ({proc.returncode}):\n{worker.log()}")
            replies = app.control.ping(destination=[hostname], timeout=1.0)
            if any(hostname in reply for reply in replies):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery worker not ready within 90s:\n{worker.log()}")
        yield worker
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log_file.close()
        sys.stdout.flush()


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """A request in Arabic leaves Arabic active in this thread; reset it so tests stay independent."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


# --- API clients ------------------------------------------------------------------


@pytest.fixture
def unverified(db: Any) -> Any:
    return make_user("unverified@example.com", verified=False)


@pytest.fixture
def api_clients(owner: Any, other_patient: Any, clinician: Any, admin_user: Any, unverified: Any) -> Any:
    """Token clients by role name, plus "anonymous"."""
    return {
        "owner": token_client(owner),
        "other_patient": token_client(other_patient),
        "clinician": token_client(clinician),
        "admin": token_client(admin_user),
        "unverified": token_client(unverified),
        "anonymous": token_client(None),
    }


# --- diagnoses: throwaway media, recorded enqueues, a fake predictor -------------------


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Every test gets its own empty MEDIA_ROOT, so "nothing left behind" is checkable."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> Enqueued:
    """Record run_diagnosis.delay() calls instead of talking to the broker."""
    from diagnosis import tasks

    record = Enqueued()
    monkeypatch.setattr(tasks.run_diagnosis, "delay", lambda pk: record.ids.append(str(pk)))
    return record


@pytest.fixture
def fake_predictor(monkeypatch: pytest.MonkeyPatch) -> FakePredictor:
    from ml import predictor as ml_predictor

    fake = FakePredictor()
    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: fake)
    return fake


@pytest.fixture
def shipped_model() -> Path:
    """The committed model directory; tests that run real predictions skip without it."""
    from ml.predictor import default_model_dir

    model_dir = default_model_dir()
    if not (model_dir / "metadata.json").is_file():
        pytest.skip(f"no shipped model directory at {model_dir} (ml/models/<version>/metadata.json)")
    return model_dir


@pytest.fixture
def lesion_file(tmp_path: Path) -> Path:
    """A real dermatoscope validation image (skips when ../shared is not here)."""
    from diagnosis.tests import images

    path = images.lesion_image_path()
    if path is None:
        pytest.skip("HAM10000 validation images not present (../shared/data/ham10000/val)")
    return path
