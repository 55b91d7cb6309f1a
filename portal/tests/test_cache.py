"""Rate-limit counters live in one shared Redis cache, not in each web process."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from portal.api.throttling import UploadRateThrottle
from portal.tests.test_settings import PRODUCTION_ENV, ROOT, run_manage

SPEND_BUDGET = """
import django, os
django.setup()
from types import SimpleNamespace
from portal.api.throttling import UploadRateThrottle
request = SimpleNamespace(method="POST", user=SimpleNamespace(pk=4242, is_authenticated=True))
allowed = [UploadRateThrottle().allow_request(request, None) for _ in range(3)]
print(allowed)
"""


def test_production_settings_use_redis_for_the_cache():
    code = (
        "from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    result = run_manage(
        "shell", "-c", code, env={**PRODUCTION_ENV, "REDIS_URL": "redis://cache.internal:6379/2"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "portal.cache.RedisCache",
        "redis://cache.internal:6379/2",
    ]


def test_the_cache_is_redis_in_tests_too():
    assert isinstance(caches["default"], RedisCache)


def test_a_limit_spent_in_another_process_counts_here(settings):
    """Two web processes (here: a subprocess and this one) share one upload budget."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "3/hour"},
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "TEST_CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "API_UPLOAD_RATE": "3/hour",
    }
    result = subprocess.run(
        [sys.executable, "-c", SPEND_BUDGET], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[True, True, True]"
    request = SimpleNamespace(method="POST", user=SimpleNamespace(pk=4242, is_authenticated=True))
    assert UploadRateThrottle().allow_request(request, None) is False


def test_clearing_the_cache_leaves_the_brokers_keys_alone():
    client = cache._cache.get_client(write=True)
    foreign = f"not-ours-{os.getpid()}"
    client.set(foreign, "queued task", ex=60)
    try:
        cache.set("counter", 1)
        cache.clear()
        assert cache.get("counter") is None
        assert client.get(foreign) == b"queued task"
    finally:
        client.delete(foreign)


def test_a_cache_without_key_prefix_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from portal.cache import RedisCache as PortalRedisCache

    with pytest.raises(ImproperlyConfigured):
        PortalRedisCache(settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": ""})
