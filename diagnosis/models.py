"""The Diagnosis record: one uploaded photo and what the model said about it.

PostgreSQL is the source of truth: the Celery task only carries the primary key,
so a lost message is recovered by the sweeper re-queueing rows stuck in
queued/running. Clinician review (claims, feedback, audit) lives in the ``review`` app.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diagnosis.names import CLASS_NAMES, class_name

__all__ = ["CLASS_NAMES", "BodySite", "Diagnosis", "DiagnosisQuerySet", "Spot", "class_name"]


class BodySite(models.TextChoices):
    """HAM10000's ``localization`` values."""

    ABDOMEN = "abdomen", _("Abdomen")
    ACRAL = "acral", _("Palms or soles (acral)")
    BACK = "back", _("Back")
    CHEST = "chest", _("Chest")
    EAR = "ear", _("Ear")
    FACE = "face", _("Face")
    FOOT = "foot", _("Foot")
    GENITAL = "genital", _("Genital area")
    HAND = "hand", _("Hand")
    LOWER_EXTREMITY = "lower extremity", _("Leg (lower limb)")
    NECK = "neck", _("Neck")
    SCALP = "scalp", _("Scalp")
    TRUNK = "trunk", _("Trunk")
    UPPER_EXTREMITY = "upper extremity", _("Arm (upper limb)")
    UNKNOWN = "unknown", _("Not sure / other")


class DiagnosisQuerySet(models.QuerySet["Diagnosis"]):
    def owned_by(self, user: object) -> DiagnosisQuerySet:
        return self.filter(owner=user)

    def consented_for_training(self) -> DiagnosisQuerySet:
        """Only checks of patients who agreed that their photos may be used to improve the model."""
        return self.filter(owner__training_consent=True)

    def stuck(self, *, before: object) -> DiagnosisQuerySet:
        """Queued/running rows whose last activity is older than ``before``."""
        return self.filter(
            models.Q(status=Diagnosis.Status.QUEUED, enqueued_at__lt=before)
            | models.Q(status=Diagnosis.Status.RUNNING, started_at__lt=before)
            | models.Q(status=Diagnosis.Status.RUNNING, started_at__isnull=True)
        )


class Diagnosis(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Analysing")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Photo not usable")
        FAILED = "failed", _("Failed")

    class Risk(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")
        MONITOR = "monitor", _("Monitor")

    PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)
    FINAL_STATUSES = (Status.DONE, Status.REJECTED)

    # UUID: result and media URLs must not be guessable or enumerable.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="diagnoses",
        verbose_name=_("owner"),
    )
    # The bytes as uploaded (checked from their header only), kept privately until the worker has
    # decoded them into ``image`` and ``thumbnail``; then deleted and this is "".
    upload = models.FileField(_("original upload"), max_length=200, blank=True)
    image = models.FileField(_("photo"), max_length=200, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=200, blank=True)
    # The PNG overlay, rendered from ``cam_grid`` on first request (for API clients) and kept.
    heatmap = models.FileField(_("heat map"), max_length=200, blank=True)
    image_width = models.PositiveIntegerField(_("width"), default=0)
    image_height = models.PositiveIntegerField(_("height"), default=0)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # Last time the task was sent (create, retry, sweeper): the sweeper's clock.
    enqueued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_message = models.TextField(_("error message"), blank=True)

    body_site = models.CharField(_("body site"), max_length=20, choices=BodySite.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    review_requested = models.BooleanField(_("clinician review requested"), default=True)

    model_version = models.CharField(_("model version"), max_length=100, blank=True)
    probabilities = models.JSONField(_("class probabilities"), default=dict, blank=True)
    top3 = models.JSONField(_("top 3"), default=list, blank=True)
    predicted_class = models.CharField(_("predicted class"), max_length=10, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    risk_tier = models.CharField(
        _("risk tier"), max_length=10, choices=Risk.choices, blank=True, db_index=True
    )
    ood_flag = models.BooleanField(_("not a usable skin photo"), default=False)
    ood_score = models.FloatField(_("out-of-distribution score"), null=True, blank=True)
    cam_class = models.CharField(_("heat map explains"), max_length=10, blank=True)
    # The Grad-CAM grid: {"rows": h, "cols": w, "values": [h*w floats in 0..1, row-major],
    # "box": [left, top, right, bottom] fractions of the photo the model saw}; {} = none.
    cam_grid = models.JSONField(_("heat map grid"), default=dict, blank=True)
    # Why a photo was rejected: "not_lesion" (does not look like a single spot) or a photo-quality
    # code from the model ("no_detail", "noise", "blurry", "too_dark", "too_bright", ...).
    ood_reason = models.CharField(_("why the photo was not usable"), max_length=20, blank=True)

    # The patient's framing and answers, and how far to trust the result.
    # Answers as given at upload (ml.answers.Answers.to_dict(): age, sex and skin type copied from
    # the profile at that time, body site, duration, the six yes/no questions); {} = none.
    answers = models.JSONField(_("patient's answers"), default=dict, blank=True)
    # [x, y, width, height] of the patient's frame in displayed-photo pixels; [] = whole photo.
    crop_box = models.JSONField(_("framed area"), default=list, blank=True)
    # Which kind of photo the model took this for ("dermoscopy" | "phone"; "" if it cannot tell).
    domain = models.CharField(_("kind of photo (model)"), max_length=12, blank=True)
    domain_probability = models.FloatField(_("kind of photo: probability"), null=True, blank=True)
    answers_used = models.JSONField(_("answers used by the model"), default=list, blank=True)
    # The model's own measured figures for that kind of photo (its metadata), kept with the result.
    reliability = models.JSONField(_("measured reliability"), default=dict, blank=True)

    # The spot this check follows (optional), and the "result ready" email (sent once).
    spot = models.ForeignKey(
        "diagnosis.Spot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("spot"),
    )
    result_notified_at = models.DateTimeField(_("result email sent at"), null=True, blank=True)

    objects = DiagnosisQuerySet.as_manager()

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.owner} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("diagnosis:detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def has_heatmap(self) -> bool:
        """A heat map can be shown: its grid is stored (or, for older rows, its PNG)."""
        return bool(self.cam_grid) or bool(self.heatmap)

    # -- status changes (the caller holds the row lock: select_for_update) --------------------
    def mark_running(self) -> None:
        """A worker starts on it: one more attempt."""
        self.status = self.Status.RUNNING
        self.started_at = timezone.now()
        self.attempts += 1
        self.error_message = ""
        self.save(update_fields=["status", "started_at", "attempts", "error_message"])

    def mark_failed(self, message: str) -> None:
        """It could not be analysed (``message``: an English msgid, translated when shown)."""
        self.status = self.Status.FAILED
        self.error_message = message
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error_message", "finished_at"])

    def mark_rejected(self, reason: str, message: str = "") -> None:
        """The photo itself is unusable (``reason``: an ``ood_reason`` code, e.g. "damaged")."""
        self.status = self.Status.REJECTED
        self.ood_reason = reason[:20]
        self.error_message = message
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "ood_reason", "error_message", "finished_at"])

    def mark_finished(self, result: dict[str, object]) -> None:
        """Store a result (``result`` holds field values, including ``status`` done/rejected)."""
        for key, value in result.items():
            setattr(self, key, value)
        self.finished_at = timezone.now()
        self.error_message = ""
        self.save(update_fields=[*result, "finished_at", "error_message"])

    def requeue(self, *, fresh: bool = False) -> None:
        """Back in the queue, its clock reset (``fresh``: a patient's retry, attempts from zero)."""
        self.status = self.Status.QUEUED
        self.enqueued_at = timezone.now()
        fields = ["status", "enqueued_at"]
        if fresh:
            self.error_message, self.attempts, self.started_at, self.finished_at = "", 0, None, None
            fields += ["error_message", "attempts", "started_at", "finished_at"]
        self.save(update_fields=fields)

    @property
    def predicted_name(self) -> str:
        return class_name(self.predicted_class) if self.predicted_class else ""

    @property
    def top3_display(self) -> list[dict[str, object]]:
        """Top-3 as dicts for templates: code, name, confidence (0-1) and percent."""
        rows = []
        for code, prob in self.top3 or []:
            rows.append(
                {
                    "code": code,
                    "name": class_name(code),
                    "confidence": float(prob),
                    "percent": round(float(prob) * 100, 1),
                }
            )
        return rows

    def file_fields(self) -> list[models.fields.files.FieldFile]:
        return [f for f in (self.upload, self.image, self.thumbnail, self.heatmap) if f and f.name]


class PendingFile(models.Model):
    """A media file written before the row that references it is committed.

    Recorded (committed on its own) before the bytes are written and deleted in the transaction
    that stores the reference: whatever is left here older than an hour belongs to a request or
    task that died or rolled back. The sweeper checks these names instead of listing the storage
    (a bucket listing every minute costs requests and time proportional to all media ever kept).
    """

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("pending media file")
        verbose_name_plural = _("pending media files")

    def __str__(self) -> str:
        return self.name


class Spot(models.Model):
    """One lesion (e.g. "mole on left shoulder"); ``Diagnosis.spot`` attaches checks to it."""

    REMINDER_MONTHS = (1, 3, 6, 12)

    # UUID: spot URLs must not be guessable or enumerable, like diagnoses.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spots", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    body_site = models.CharField(_("body site"), max_length=20, choices=BodySite.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Re-check reminder: one email at remind_at, sent once (reminder_sent_at), cancellable.
    reminder_months = models.PositiveSmallIntegerField(_("re-check reminder (months)"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind on"), null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot")
        verbose_name_plural = _("spots")
        ordering = ["name", "created_at"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("diagnosis:spot_detail", kwargs={"pk": self.pk})

    @property
    def reminder_pending(self) -> bool:
        return self.remind_at is not None and self.reminder_sent_at is None
