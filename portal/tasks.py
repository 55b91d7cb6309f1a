from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.tasks.ping")  # type: ignore[untyped-decorator]  # celery: skipped (pyproject)
def ping(value: str = "pong") -> str:
    """Trivial round-trip task: proves broker, worker and result backend are wired."""
    return value


@shared_task(name="portal.tasks.count_users")  # type: ignore[untyped-decorator]  # celery: skipped (pyproject)
def count_users() -> int:
    """Diagnostic task: proves the worker reads the same database as the web process."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.count()
