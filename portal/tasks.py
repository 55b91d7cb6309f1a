from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.tasks.ping")
def ping(value: str = "pong") -> str:
    """Trivial round-trip task: proves broker, worker and result backend are wired."""
    return value
