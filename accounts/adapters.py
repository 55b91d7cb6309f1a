"""allauth adapter: new accounts inherit the language they signed up in."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import timezone, translation

from accounts.models import User
from portal.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits per address follow the site's one rule (TRUSTED_PROXY_COUNT).
        return client_ip(request) or super().get_client_ip(request)

    def save_user(self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True) -> User:
        language = translation.get_language() or settings.LANGUAGE_CODE
        supported = {code for code, _ in settings.LANGUAGES}
        user.preferred_language = language[:2] if language[:2] in supported else "en"
        full_name = form.cleaned_data.get("full_name") if hasattr(form, "cleaned_data") else ""
        if full_name:
            user.full_name = full_name
        # Consent to use photos for training: recorded at sign-up, off unless ticked.
        if hasattr(form, "cleaned_data") and form.cleaned_data.get("training_consent"):
            user.training_consent = True
            user.training_consent_at = timezone.now()
        # Clinician is granted by an administrator only, never at sign-up.
        user.is_clinician = False
        saved: User = super().save_user(request, user, form, commit=commit)
        return saved
