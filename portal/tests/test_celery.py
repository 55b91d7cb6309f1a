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
