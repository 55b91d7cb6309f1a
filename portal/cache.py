"""Django's Redis cache, minus the one operation that is dangerous on a shared Redis.

The cache holds rate-limit counters (DRF throttles, allauth) and shares a Redis server,
often a database, with Celery's broker. ``RedisCache.clear()`` runs FLUSHDB, which would
drop queued diagnoses too; here it deletes only this cache's own keys (its KEY_PREFIX).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.exceptions import ImproperlyConfigured


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured("The Redis cache needs a KEY_PREFIX so clear() can find its keys")

    def clear(self) -> None:
        client = self._cache.get_client(write=True)
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
