"""Writes for clinician review: claim / release / assign a case, save (and amend)
feedback, notify the patient, and the audit log: every read of a case's patient data
by a clinician or an admin (who, what, when, how) and every review action.

Callers have already passed the access selector (``diagnosis_get_for_reviewer``);
these functions enforce the review rules themselves (who may claim, who may
write feedback) so an API or a view cannot forget them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import can_review, is_admin
from diagnosis.models import Diagnosis
from review.audit import access_log_record
from review.exceptions import ReviewNotAllowed
from review.models import OTHER_CODE, CaseAccessLog, CaseClaim, Feedback, FeedbackVersion, Urgency, Verdict
from review.notifications import feedback_notify_patient
from review.selectors import disease_choices, feedback_can_edit

logger = logging.getLogger(__name__)

FEEDBACK_FIELDS = ("verdict", "diagnosis_code", "diagnosis_other", "urgency", "message", "private_note")
FEEDBACK_EXISTS = _("This case already has feedback; amend it instead.")


def _active_claim(diagnosis: Diagnosis) -> CaseClaim | None:
    return CaseClaim.objects.active().select_related("clinician").filter(diagnosis=diagnosis).first()


def case_claim(*, diagnosis: Diagnosis, clinician: User, channel: str = "") -> CaseClaim:
    """Claim a case for ``clinician``. Renewing your own claim restarts its clock;
    an expired claim by someone else is taken over."""
    if not can_review(clinician):
        raise ReviewNotAllowed(_("Only clinicians can claim cases."))
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        if Feedback.objects.filter(diagnosis=locked).exists():
            raise ReviewNotAllowed(_("This case has already been reviewed."))
        claim = _active_claim(locked)
        if claim is not None and claim.clinician_id != clinician.pk:
            raise ReviewNotAllowed(_("Another clinician is already reviewing this case."))
        claim, _created = CaseClaim.objects.update_or_create(
            diagnosis=locked,
            defaults={"clinician": clinician, "claimed_at": timezone.now(), "assigned_by": None},
        )
        access_log_record(
            user=clinician, diagnosis=locked, action=CaseAccessLog.Action.CLAIM, channel=channel
        )
    return claim


def case_release(*, diagnosis: Diagnosis, user: User, channel: str = "") -> None:
    """Give a claimed case back to the queue (the holder, or an admin)."""
    with transaction.atomic():
        claim = CaseClaim.objects.select_for_update().filter(diagnosis=diagnosis).first()
        if claim is None:
            return
        if claim.clinician_id != user.pk and not is_admin(user):
            raise ReviewNotAllowed(_("Only the clinician holding this case or an admin can release it."))
        claim.delete()
        access_log_record(
            user=user, diagnosis=diagnosis, action=CaseAccessLog.Action.RELEASE, channel=channel
        )


def case_assign(*, diagnosis: Diagnosis, clinician: User, assigned_by: User, channel: str = "") -> CaseClaim:
    """Admins (re)assign a case to a clinician, whoever holds it now."""
    if not is_admin(assigned_by):
        raise ReviewNotAllowed(_("Only an admin can reassign cases."))
    if not can_review(clinician) or clinician.pk == diagnosis.owner_id:
        raise ReviewNotAllowed(_("This user cannot review this case."))
    with transaction.atomic():
        Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        claim, _created = CaseClaim.objects.update_or_create(
            diagnosis=diagnosis,
            defaults={"clinician": clinician, "claimed_at": timezone.now(), "assigned_by": assigned_by},
        )
        access_log_record(
            user=assigned_by, diagnosis=diagnosis, action=CaseAccessLog.Action.ASSIGN, channel=channel
        )
    return claim


def claims_release_expired() -> int:
    """Delete expired claims (they already count as unclaimed; this is housekeeping)."""
    deleted, _detail = CaseClaim.objects.expired().delete()
    return deleted


def _validate_feedback(*, verdict: str, diagnosis_code: str, diagnosis_other: str, urgency: str) -> None:
    errors = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose a verdict.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    if diagnosis_code not in {code for code, _label in disease_choices()}:
        errors["diagnosis_code"] = _("Choose a diagnosis from the list.")
    elif diagnosis_code == OTHER_CODE and not (diagnosis_other or "").strip():
        errors["diagnosis_other"] = _("Please describe the diagnosis.")
    if errors:
        raise ValidationError(errors)


def _feedback_values(
    *,
    verdict: str,
    diagnosis_code: str,
    urgency: str,
    message: str,
    diagnosis_other: str,
    private_note: str,
) -> dict[str, str]:
    """The rules on feedback content, checked here so no form or API can skip them."""
    _validate_feedback(
        verdict=verdict, diagnosis_code=diagnosis_code, diagnosis_other=diagnosis_other, urgency=urgency
    )
    if not (message or "").strip():
        raise ValidationError({"message": _("Please write a message to the patient.")})
    return {
        "verdict": verdict,
        "diagnosis_code": diagnosis_code,
        "diagnosis_other": (diagnosis_other or "").strip() if diagnosis_code == OTHER_CODE else "",
        "urgency": urgency,
        "message": (message or "").strip(),
        "private_note": (private_note or "").strip(),
    }


def _feedback_saved(
    *, feedback: Feedback, diagnosis: Diagnosis, author: User, action: str, channel: str
) -> None:
    """Every save: an immutable version, the claim done, the audit row, one email after commit."""
    version = FeedbackVersion.objects.create(
        feedback=feedback,
        number=feedback.version,
        author=author,
        **{key: getattr(feedback, key) for key in FEEDBACK_FIELDS},
    )
    CaseClaim.objects.filter(diagnosis=diagnosis).delete()  # reviewed: it leaves the queue
    access_log_record(user=author, diagnosis=diagnosis, action=action, channel=channel)
    transaction.on_commit(lambda: feedback_notify_patient(version_id=version.pk))
    logger.info("feedback v%d on diagnosis %s by user %s", feedback.version, diagnosis.pk, author.pk)


def feedback_create(
    *,
    diagnosis: Diagnosis,
    author: User,
    verdict: str,
    diagnosis_code: str,
    urgency: str,
    message: str,
    diagnosis_other: str = "",
    private_note: str | None = None,
    channel: str = "",
) -> Feedback:
    """The first feedback on a case (version 1); the patient is emailed after commit.

    Raises ValidationError for values outside the rules, ReviewNotAllowed when the case
    already has feedback or another clinician holds it."""
    values = _feedback_values(
        verdict=verdict,
        diagnosis_code=diagnosis_code,
        urgency=urgency,
        message=message,
        diagnosis_other=diagnosis_other,
        private_note=private_note or "",
    )
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        if Feedback.objects.filter(diagnosis=locked).exists():
            raise ReviewNotAllowed(FEEDBACK_EXISTS)
        if not feedback_can_edit(diagnosis=locked, user=author):
            raise ReviewNotAllowed(_("Another clinician is already reviewing this case."))
        feedback = Feedback.objects.create(diagnosis=locked, author=author, version=1, **values)
        _feedback_saved(
            feedback=feedback,
            diagnosis=locked,
            author=author,
            action=CaseAccessLog.Action.FEEDBACK,
            channel=channel,
        )
    return feedback


def feedback_amend(
    *,
    diagnosis: Diagnosis,
    author: User,
    verdict: str,
    diagnosis_code: str,
    urgency: str,
    message: str,
    diagnosis_other: str = "",
    private_note: str | None = None,
    channel: str = "",
) -> Feedback:
    """A new version of the case's feedback (earlier versions are kept).

    ``private_note=None`` (not given) keeps the current private note; "" clears it.
    Raises Feedback.DoesNotExist when there is nothing to amend, ValidationError for
    values outside the rules, ReviewNotAllowed unless the author wrote an earlier
    version or is an admin."""
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
        feedback = Feedback.objects.select_for_update().get(diagnosis=locked)
        values = _feedback_values(
            verdict=verdict,
            diagnosis_code=diagnosis_code,
            urgency=urgency,
            message=message,
            diagnosis_other=diagnosis_other,
            private_note=feedback.private_note if private_note is None else private_note,
        )
        if not feedback_can_edit(diagnosis=locked, user=author, feedback=feedback):
            raise ReviewNotAllowed(_("Only the clinician who wrote this feedback or an admin can amend it."))
        for key, value in values.items():
            setattr(feedback, key, value)
        feedback.version += 1
        feedback.author = author
        feedback.save()
        _feedback_saved(
            feedback=feedback,
            diagnosis=locked,
            author=author,
            action=CaseAccessLog.Action.AMEND,
            channel=channel,
        )
    return feedback


def review_sweep(*, notify_older_than: timedelta = timedelta(minutes=2)) -> dict[str, int]:
    """Housekeeping (celery beat): drop expired claims and re-send patient emails
    whose first attempt failed (SMTP down). Never sends a version twice."""
    cutoff = timezone.now() - notify_older_than
    pending = FeedbackVersion.objects.filter(notified_at__isnull=True, created_at__lt=cutoff)
    sent = sum(1 for pk in pending.values_list("pk", flat=True) if feedback_notify_patient(version_id=pk))
    expired = claims_release_expired()
    if sent or expired:
        logger.info("review sweep: emails_sent=%d claims_expired=%d", sent, expired)
    return {"emails_sent": sent, "claims_expired": expired}
