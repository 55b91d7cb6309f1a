"""Patient emails with a link only (no medical content), in the patient's language:
"your result is ready" for slow analyses, and the spots' re-check reminders.

Each email is sent at most once: a timestamp is set in the same transaction that holds the
row lock, and only after the SMTP server accepted the message (a failure is retried by beat).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from diagnosis.models import Diagnosis, Spot

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def patient_email_send(*, user: User, template: str, context: dict[str, object]) -> bool:
    """Render ``<template>_subject.txt`` / ``_body.txt`` in the user's language and send it."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {"user": user, "site_name": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    message = EmailMessage(
        subject=f"{prefix}{' '.join(subject.split())}",
        body=body,
        to=[user.email],
        headers={"Content-Language": language},
    )
    try:
        message.send()
    except Exception:  # SMTP down: the caller leaves its timestamp empty, beat retries
        logger.exception("could not send %s to user %s", template, user.pk)
        return False
    return True


def result_email_after() -> timedelta:
    return timedelta(seconds=settings.RESULT_EMAIL_AFTER_SECONDS)


def result_ready_notify(*, diagnosis_id: UUID | str) -> bool:
    """Email "your result is ready" if the owner asked for it and the analysis was slow."""
    with transaction.atomic():
        diagnosis = (
            Diagnosis.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(
                pk=diagnosis_id,
                status__in=Diagnosis.FINAL_STATUSES,
                result_notified_at__isnull=True,
                owner__notify_result_ready=True,
                finished_at__isnull=False,
            )
            .first()
        )
        if (
            diagnosis is None
            or diagnosis.finished_at is None
            or diagnosis.finished_at - diagnosis.created_at < result_email_after()
        ):
            return False
        url = absolute_url(reverse("diagnosis:detail", kwargs={"pk": diagnosis.pk}))
        sent = patient_email_send(
            user=diagnosis.owner,
            template="diagnosis/email/result_ready",
            context={"result_url": url, "uploaded_at": diagnosis.created_at},
        )
        if sent:
            diagnosis.result_notified_at = timezone.now()
            diagnosis.save(update_fields=["result_notified_at"])
    return sent


def reminder_send(*, spot_id: UUID | str, now: datetime | None = None) -> bool:
    """Send one spot's due re-check reminder, once."""
    now = now or timezone.now()
    with transaction.atomic():
        spot = (
            Spot.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("owner")
            .filter(pk=spot_id, remind_at__lte=now, reminder_sent_at__isnull=True, owner__is_active=True)
            .first()
        )
        if spot is None:
            return False
        camera = f"{reverse('diagnosis:camera')}?spot={spot.pk}"
        sent = patient_email_send(
            user=spot.owner,
            template="diagnosis/spots/email/reminder",
            context={"spot_url": absolute_url(spot.get_absolute_url()), "camera_url": absolute_url(camera)},
        )
        if sent:
            spot.reminder_sent_at = timezone.now()
            spot.save(update_fields=["reminder_sent_at"])
    return sent


def notifications_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: due reminders, and "result ready" emails whose first attempt failed (last day only)."""
    now = now or timezone.now()
    due = Spot.objects.filter(remind_at__lte=now, reminder_sent_at__isnull=True).values_list("pk", flat=True)
    reminders = sum(1 for pk in list(due) if reminder_send(spot_id=pk, now=now))
    pending = Diagnosis.objects.filter(
        status__in=Diagnosis.FINAL_STATUSES,
        result_notified_at__isnull=True,
        owner__notify_result_ready=True,
        finished_at__gte=now - timedelta(days=1),
    ).values_list("pk", flat=True)
    results = sum(1 for pk in list(pending) if result_ready_notify(diagnosis_id=pk))
    if reminders or results:
        logger.info("notifications: reminders=%d result_emails=%d", reminders, results)
    return {"reminders": reminders, "result_emails": results}
