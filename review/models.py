"""Clinician review: claims on queued cases, feedback (with every version kept)
and the audit log of every read of, or action on, a case by staff or clinicians.

The tables keep their original ``diagnosis_*`` names (the models moved here from
the diagnosis app without touching the data). ``Feedback`` holds the current values (for fast
queue/agreement queries); ``FeedbackVersion`` rows are immutable snapshots, one
per save, so an amendment never loses what was said before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diagnosis.feedback import URGENCY_ORDER, Urgency, Verdict
from diagnosis.names import OTHER_CODE

__all__ = [
    "OTHER_CODE",
    "URGENCY_ORDER",
    "CaseAccessLog",
    "CaseClaim",
    "Feedback",
    "FeedbackVersion",
    "Urgency",
    "Verdict",
]


class CaseClaimQuerySet(models.QuerySet["CaseClaim"]):
    def active(self, now: datetime | None = None) -> CaseClaimQuerySet:
        return self.filter(claimed_at__gte=CaseClaim.cutoff(now))

    def expired(self, now: datetime | None = None) -> CaseClaimQuerySet:
        return self.filter(claimed_at__lt=CaseClaim.cutoff(now))


class CaseClaim(models.Model):
    """A clinician working on a case. Expires after REVIEW_CLAIM_TIMEOUT_MINUTES;
    an expired claim counts as no claim (the case is back in the queue)."""

    diagnosis = models.OneToOneField(
        "diagnosis.Diagnosis",
        on_delete=models.CASCADE,
        related_name="claim",
        verbose_name=_("diagnosis"),
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_claims",
        verbose_name=_("clinician"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), db_index=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )

    objects = CaseClaimQuerySet.as_manager()

    class Meta:
        db_table = "diagnosis_caseclaim"
        verbose_name = _("case claim")
        verbose_name_plural = _("case claims")

    def __str__(self) -> str:
        return f"{self.diagnosis_id} -> {self.clinician_id}"

    @staticmethod
    def timeout() -> timedelta:
        return timedelta(minutes=settings.REVIEW_CLAIM_TIMEOUT_MINUTES)

    @classmethod
    def cutoff(cls, now: datetime | None = None) -> datetime:
        """Claims made before this moment have expired."""
        return (now or timezone.now()) - cls.timeout()

    def is_active(self, now: datetime | None = None) -> bool:
        return self.claimed_at >= self.cutoff(now)


class Feedback(models.Model):
    """The current clinician feedback on a diagnosis (latest version's values)."""

    diagnosis = models.OneToOneField(
        "diagnosis.Diagnosis",
        on_delete=models.CASCADE,
        related_name="clinician_feedback",
        verbose_name=_("diagnosis"),
    )
    verdict = models.CharField(_("verdict on the AI result"), max_length=12, choices=Verdict.choices)
    diagnosis_code = models.CharField(
        _("clinician's diagnosis"),
        max_length=64,
        help_text=_("A disease library code, or “other” with a description."),
    )
    diagnosis_other = models.CharField(_("other diagnosis"), max_length=200, blank=True)
    urgency = models.CharField(_("recommended urgency"), max_length=12, choices=Urgency.choices)
    message = models.TextField(_("message to the patient"), max_length=4000)
    # Never shown to the patient: not in patient HTML, emails or patient-facing APIs.
    private_note = models.TextField(_("private clinical note"), blank=True, max_length=4000)
    version = models.PositiveIntegerField(_("version"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last author"),
    )
    created_at = models.DateTimeField(_("first given"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    class Meta:
        db_table = "diagnosis_feedback"
        verbose_name = _("clinician feedback")
        verbose_name_plural = _("clinician feedback")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.diagnosis_id} v{self.version} {self.verdict}"

    @property
    def is_amended(self) -> bool:
        return self.version > 1


class FeedbackVersion(models.Model):
    """An immutable snapshot of one save of the feedback form."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="versions", verbose_name=_("feedback")
    )
    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    verdict = models.CharField(_("verdict on the AI result"), max_length=12, choices=Verdict.choices)
    diagnosis_code = models.CharField(_("clinician's diagnosis"), max_length=64)
    diagnosis_other = models.CharField(_("other diagnosis"), max_length=200, blank=True)
    urgency = models.CharField(_("recommended urgency"), max_length=12, choices=Urgency.choices)
    message = models.TextField(_("message to the patient"))
    private_note = models.TextField(_("private clinical note"), blank=True)
    # Set when the patient's notification for this version was sent (at most once).
    notified_at = models.DateTimeField(_("patient notified at"), null=True, blank=True)

    class Meta:
        db_table = "diagnosis_feedbackversion"
        verbose_name = _("feedback version")
        verbose_name_plural = _("feedback versions")
        ordering = ["feedback", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "number"], name="feedback_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} v{self.number}"


class CaseAccessLog(models.Model):
    """One read of, or action on, a case's patient data by a clinician or an admin:
    who, what (action + detail), when, and how (channel). Written by
    ``review.audit.access_log_record*``; never edited (read-only in admin)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the case")
        LIST = "list", _("Saw it in a list")
        DOWNLOAD = "download", _("Downloaded a file")
        EXPORT = "export", _("Exported")
        CLAIM = "claim", _("Claimed")
        RELEASE = "release", _("Released")
        ASSIGN = "assign", _("Assigned")
        FEEDBACK = "feedback", _("Gave feedback")
        AMEND = "amend", _("Amended feedback")

    class Channel(models.TextChoices):
        WEB = "web", _("Clinician pages")
        API = "api", _("API")
        ADMIN = "admin", _("Django admin")
        COMMAND = "command", _("Command line")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # The case id is kept as text too, so the log survives the patient deleting the case.
    diagnosis = models.ForeignKey(
        "diagnosis.Diagnosis",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("diagnosis"),
    )
    diagnosis_ref = models.CharField(_("case id"), max_length=36, db_index=True)
    user_email = models.CharField(_("user email"), max_length=254)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.VIEW)
    # What exactly was read (e.g. "image", "agreement CSV"), beyond the action itself.
    detail = models.CharField(_("what"), max_length=100, blank=True)
    # Blank on rows written before the channel was recorded.
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "diagnosis_caseaccesslog"
        verbose_name = _("case access log entry")
        verbose_name_plural = _("case access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        what = f"{self.action}:{self.detail}" if self.detail else self.action
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {what} {self.diagnosis_ref}"
