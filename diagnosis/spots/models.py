"""The Spot model: a named lesion a patient follows, with an optional re-check reminder."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Imported at the bottom of diagnosis.models, after BodySite is defined.
from diagnosis.models import BodySite

__all__ = ["Spot"]


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
