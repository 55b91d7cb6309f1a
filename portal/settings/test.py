"""Thin test override: fast hashing, in-memory email, throwaway media."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# Tests use their own Redis database so they never feed a `make run` worker.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from portal.settings.base import *  # noqa: F403
from portal.settings.base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker subprocess started by the tests receives the same MEDIA_ROOT via env.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="jildi-test-media-"))
# WhiteNoise warns when STATIC_ROOT is missing; tests never collect static files.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="jildi-test-static-"))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Only tests that ask for it run Celery tasks inline.
CELERY_TASK_ALWAYS_EAGER = False
# allauth's rate limits would trip over repeated test sign-ups from one IP.
ACCOUNT_RATE_LIMITS: dict[str, bool | str] | bool = False  # type: ignore[no-redef]  # allauth takes False: all off
# The real shared cache (Redis) like production, on its own database, with a key prefix
# per test process so concurrent runs never see (or clear) each other's counters; the
# root conftest empties it around every test.
CACHES = {
    "default": {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/14"),
        "KEY_PREFIX": os.environ.get("TEST_CACHE_KEY_PREFIX") or f"jildi-test-{os.getpid()}",
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
