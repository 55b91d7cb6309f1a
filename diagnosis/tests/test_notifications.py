"""Re-check reminders and "result ready" emails: sent once, in the patient's language, link only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from diagnosis.models import Diagnosis, Spot
from diagnosis.notifications import notifications_send_due, reminder_send, result_ready_notify
from diagnosis.spots import services
from diagnosis.tests.factories import DiagnosisFactory
from portal.testing import message_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_spot(owner: Any) -> Spot:
    spot = services.spot_create(owner=owner, name="Mole on left shoulder")
    spot = services.spot_set_reminder(spot=spot, months=1)
    Spot.objects.filter(pk=spot.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    spot.refresh_from_db()
    return spot


def test_a_due_reminder_is_sent_once_with_a_link_only(smtp_catchall: Any, owner: Any, due_spot: Spot) -> None:
    assert notifications_send_due()["reminders"] == 1
    (message,) = smtp_catchall.wait_for(to=owner.email)
    body = message_text(message)
    assert f"/diagnosis/camera/?spot={due_spot.pk}" in body and due_spot.get_absolute_url() in body
    assert "Mole" not in body and "shoulder" not in body  # no medical or spot details
    assert "re-check" in message["Subject"]
    assert notifications_send_due()["reminders"] == 0  # never twice
    due_spot.refresh_from_db()
    assert due_spot.reminder_sent_at is not None and not due_spot.reminder_pending


def test_the_reminder_is_in_the_patients_language(smtp_catchall: Any, owner: Any, due_spot: Spot) -> None:
    owner.preferred_language = "ar"
    owner.save(update_fields=["preferred_language"])
    reminder_send(spot_id=due_spot.pk)
    (message,) = smtp_catchall.wait_for(to=owner.email)
    assert message["Content-Language"] == "ar"
    assert "فريق جلدي" in message_text(message)


def test_a_reminder_not_yet_due_or_cancelled_is_not_sent(smtp_catchall: Any, owner: Any) -> None:
    spot = services.spot_set_reminder(spot=services.spot_create(owner=owner, name="A"), months=3)
    assert reminder_send(spot_id=spot.pk) is False
    Spot.objects.filter(pk=spot.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    services.spot_cancel_reminder(spot=spot)
    assert notifications_send_due()["reminders"] == 0
    assert smtp_catchall.messages == []


def test_smtp_down_leaves_the_reminder_to_be_retried(settings: Any, owner: Any, due_spot: Spot) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    assert reminder_send(spot_id=due_spot.pk) is False
    due_spot.refresh_from_db()
    assert due_spot.reminder_pending


def _finished(owner: Any, seconds: int) -> Diagnosis:
    d = DiagnosisFactory(owner=owner)
    Diagnosis.objects.filter(pk=d.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds), finished_at=timezone.now()
    )
    return d


def test_result_ready_email_only_when_asked_and_slow(smtp_catchall: Any, owner: Any) -> None:
    slow = _finished(owner, 120)
    assert result_ready_notify(diagnosis_id=slow.pk) is False  # not asked for (off by default)
    owner.notify_result_ready = True
    owner.save(update_fields=["notify_result_ready"])
    fast = _finished(owner, 2)
    assert result_ready_notify(diagnosis_id=fast.pk) is False
    assert result_ready_notify(diagnosis_id=slow.pk) is True
    assert result_ready_notify(diagnosis_id=slow.pk) is False  # once
    (message,) = smtp_catchall.wait_for(to=owner.email)
    body = message_text(message)
    assert f"/diagnosis/{slow.pk}/" in body and "Mole" not in body and "Melanoma" not in body


def test_the_worker_task_sends_the_result_email(monkeypatch: pytest.MonkeyPatch, owner: Any) -> None:
    from diagnosis import tasks

    sent: list[str] = []
    monkeypatch.setattr(tasks.result_ready, "delay", sent.append)
    d = DiagnosisFactory(owner=owner)
    monkeypatch.setattr("diagnosis.services.diagnosis_run", lambda diagnosis_id: d)
    tasks.run_diagnosis(str(d.pk))
    assert sent == []  # preference off
    owner.notify_result_ready = True
    owner.save(update_fields=["notify_result_ready"])
    d.owner.refresh_from_db()
    tasks.run_diagnosis(str(d.pk))
    assert sent == [str(d.pk)]


def test_beat_schedules_the_notifications() -> None:
    from portal.celery import app

    app.loader.import_default_modules()  # what a beat process does at start-up (autodiscovery)
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"diagnosis.spots.send_notifications", "records.purge_expired"} <= tasks
