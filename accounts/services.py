"""Writes for accounts (HackSoft style: keyword-only, typed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User, validate_birth_year
from accounts.roles import ADMIN_GROUP, roles_cache_clear


def user_update_preferences(
    *,
    user: User,
    full_name: str | None = None,
    language: str | None = None,
    theme: str | None = None,
) -> User:
    fields: list[str] = []
    if full_name is not None:
        user.full_name = full_name.strip()
        fields.append("full_name")
    if language is not None:
        if language not in {code for code, _ in settings.LANGUAGES}:
            raise ValueError(f"unsupported language {language!r}")
        user.preferred_language = language
        fields.append("preferred_language")
    if theme is not None:
        if theme not in User.Theme.values:
            raise ValueError(f"unsupported theme {theme!r}")
        user.preferred_theme = theme
        fields.append("preferred_theme")
    if fields:
        user.save(update_fields=fields)
    return user


UNSET = object()  # "not given" (None means "clear it")


def user_update_skin_profile(
    *, user: User, birth_year: Any = UNSET, sex: Any = UNSET, fitzpatrick: Any = UNSET
) -> User:
    """Year of birth, sex and skin type (all optional; None or "" clears one). New skin checks
    copy them as the patient's answers at that time; earlier checks keep what they had."""
    fields: list[str] = []
    if birth_year is not UNSET:
        if birth_year is not None:
            validate_birth_year(birth_year)
        user.birth_year = birth_year
        fields.append("birth_year")
    if sex is not UNSET:
        if sex and sex not in User.Sex.values:
            raise ValueError(f"unsupported sex {sex!r}")
        user.sex = sex or ""
        fields.append("sex")
    if fitzpatrick is not UNSET:
        if fitzpatrick is not None and fitzpatrick not in User.SkinType.values:
            raise ValueError(f"unsupported skin type {fitzpatrick!r}")
        user.fitzpatrick = fitzpatrick
        fields.append("fitzpatrick")
    if fields:
        user.save(update_fields=fields)
    return user


def user_update_choices(
    *, user: User, training_consent: bool | None = None, notify_result_ready: bool | None = None
) -> User:
    """Consent to use reviewed photos for training (its time is recorded on every change) and
    the "result ready" email preference. Compared with the stored row: a ModelForm may already
    have copied the new values onto ``user``."""
    stored: Mapping[str, object] = (
        User.objects.filter(pk=user.pk).values("training_consent", "notify_result_ready").first() or {}
    )
    fields: list[str] = []
    if training_consent is not None:
        user.training_consent = training_consent
        fields.append("training_consent")
        if training_consent != stored.get("training_consent"):
            user.training_consent_at = timezone.now()
            fields.append("training_consent_at")
    if notify_result_ready is not None:
        user.notify_result_ready = notify_result_ready
        fields.append("notify_result_ready")
    if fields:
        user.save(update_fields=fields)
    return user


def user_grant_admin(*, user: User) -> User:
    """Make ``user`` an admin: the admin group (the role) plus staff (to log in to the Django admin)."""
    group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)
    roles_cache_clear(user)
    return user
