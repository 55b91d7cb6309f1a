"""The patient's email when a clinician's feedback (or an amendment) is ready."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from diagnosis.models import Diagnosis
from review.models import FeedbackVersion

logger = logging.getLogger(__name__)


def _result_url(diagnosis: Diagnosis) -> str:
    base = str(settings.SITE_URL).rstrip("/")
    return f"{base}{reverse('diagnosis:detail', kwargs={'pk': diagnosis.pk})}"


def feedback_notify_patient(*, version_id: int) -> bool:
    """Email the patient that feedback (or an amendment) is ready: at most once per
    version, in their language, with a link only (no medical content)."""
    with transaction.atomic():
        version = (
            FeedbackVersion.objects.select_for_update()
            .select_related("feedback__diagnosis__owner")
            .filter(pk=version_id, notified_at__isnull=True)
            .first()
        )
        if version is None:
            return False
        diagnosis = version.feedback.diagnosis
        patient = diagnosis.owner
        language = getattr(patient, "preferred_language", "") or settings.LANGUAGE_CODE
        context = {
            "user": patient,
            "amended": version.number > 1,
            "result_url": _result_url(diagnosis),
            "uploaded_at": diagnosis.created_at,
            "site_name": settings.SITE_NAME,
        }
        with translation.override(language):
            subject = render_to_string("review/email/feedback_subject.txt", context)
            body = render_to_string("review/email/feedback_body.txt", context)
        prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        email = EmailMessage(
            subject=f"{prefix}{' '.join(subject.split())}",
            body=body,
            to=[patient.email],
            headers={"Content-Language": language},
        )
        try:
            email.send()
        except Exception:  # SMTP down: leave notified_at empty so it can be re-sent
            logger.exception("could not email the patient about feedback version %s", version_id)
            return False
        version.notified_at = timezone.now()
        version.save(update_fields=["notified_at"])
    return True
