"""Writes for spots (HackSoft style: keyword-only, typed). Callers check access with
``diagnosis.spots.selectors`` first; these functions still refuse a mismatched owner."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from diagnosis.models import BodySite, Diagnosis, Spot

logger = logging.getLogger(__name__)

NAME_MAX = Spot._meta.get_field("name").max_length or 100


def spot_clean_name(name: str) -> str:
    """The spot's name, trimmed; a translated ValidationError when empty or too long."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError(
            _("Please give the spot a name, e.g. “mole on left shoulder”."), code="spot_name"
        )
    if len(cleaned) > NAME_MAX:
        raise ValidationError(
            _("Please use at most %(max)d characters for the name.") % {"max": NAME_MAX}, code="spot_name"
        )
    return cleaned


def _clean_site(body_site: str) -> str:
    if body_site and body_site not in BodySite.values:
        raise ValidationError(_("Please choose a body site from the list."), code="spot_site")
    return body_site or ""


def spot_create(*, owner: User, name: str, body_site: str = "") -> Spot:
    return Spot.objects.create(owner=owner, name=spot_clean_name(name), body_site=_clean_site(body_site))


def spot_update(*, spot: Spot, name: str | None = None, body_site: str | None = None) -> Spot:
    fields: list[str] = []
    if name is not None:
        spot.name = spot_clean_name(name)
        fields.append("name")
    if body_site is not None:
        spot.body_site = _clean_site(body_site)
        fields.append("body_site")
    if fields:
        spot.save(update_fields=fields)
    return spot


def spot_delete(*, spot: Spot) -> None:
    """Delete the spot; its checks stay in the patient's history (``Diagnosis.spot`` is nulled)."""
    spot.delete()


def spot_attach(*, spot: Spot, diagnosis: Diagnosis) -> Diagnosis:
    if spot.owner_id != diagnosis.owner_id:
        raise ValidationError(_("This check cannot be added to that spot."), code="spot_owner")
    if diagnosis.spot_id != spot.pk:
        diagnosis.spot = spot
        diagnosis.save(update_fields=["spot"])
    return diagnosis


def spot_detach(*, diagnosis: Diagnosis) -> Diagnosis:
    if diagnosis.spot_id is not None:
        diagnosis.spot = None
        diagnosis.save(update_fields=["spot"])
    return diagnosis


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def spot_set_reminder(*, spot: Spot, months: int, now: datetime | None = None) -> Spot:
    """Remind the patient by email to re-check this spot in ``months`` months (sent once)."""
    if months not in Spot.REMINDER_MONTHS:
        raise ValidationError(_("Please choose 1, 3, 6 or 12 months."), code="reminder_months")
    with transaction.atomic():
        locked = Spot.objects.select_for_update().get(pk=spot.pk)
        locked.reminder_months = months
        locked.remind_at = add_months(now or timezone.now(), months)
        locked.reminder_sent_at = None
        locked.save(update_fields=["reminder_months", "remind_at", "reminder_sent_at"])
    logger.info("reminder for spot %s set in %d month(s)", spot.pk, months)
    return locked


def spot_cancel_reminder(*, spot: Spot) -> Spot:
    with transaction.atomic():
        locked = Spot.objects.select_for_update().get(pk=spot.pk)
        locked.reminder_months = None
        locked.remind_at = None
        locked.reminder_sent_at = None
        locked.save(update_fields=["reminder_months", "remind_at", "reminder_sent_at"])
    return locked
