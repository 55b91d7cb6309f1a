from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account import views as allauth_views
from allauth.account.internal.flows.email_verification_by_code import (
    EMAIL_VERIFICATION_CODE_SESSION_KEY,
)
from allauth.account.internal.flows.password_reset_by_code import (
    PASSWORD_RESET_VERIFICATION_SESSION_KEY,
)
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import ProfileForm, ThemeForm
from accounts.middleware import set_language_cookie
from accounts.requests import AuthenticatedHttpRequest
from accounts.services import user_update_choices, user_update_preferences, user_update_skin_profile


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_update_preferences(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["preferred_language"],
            theme=form.cleaned_data["preferred_theme"],
        )
        user_update_skin_profile(user=user, **{f: form.cleaned_data[f] for f in ProfileForm.SKIN_FIELDS})
        user_update_choices(user=user, **{f: form.cleaned_data[f] for f in ProfileForm.CHOICE_FIELDS})
        translation.activate(user.preferred_language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus: a signed-in user's choice is saved to their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    supported = {code for code, _name in settings.LANGUAGES}
    if request.method == "POST" and language in supported and request.user.is_authenticated:
        user_update_preferences(user=request.user, language=language)
    return response


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """Remember the theme for signed-in users (anonymous visitors use localStorage only)."""
    form = ThemeForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False}, status=400)
    if request.user.is_authenticated:
        user_update_preferences(user=request.user, theme=form.cleaned_data["theme"])
    return JsonResponse({"ok": True, "theme": form.cleaned_data["theme"]})


def lockout(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown by django-axes instead of the login form once an account is locked."""
    context = {"cooloff_minutes": settings.AXES_COOLOFF_MINUTES}
    return render(request, "accounts/lockout.html", context, status=429)


# --- expiry-aware wrappers around allauth's code views --------------------------------
# allauth silently drops an expired code and redirects; users deserve to be told why.


def _code_expired(request: HttpRequest, session_key: str, timeout: int) -> bool:
    state = request.session.get(session_key)
    if not state:
        return False
    return bool(time.time() - state.get("at", 0) > timeout)


def email_verification_sent(request: HttpRequest) -> HttpResponse:
    if _code_expired(
        request, EMAIL_VERIFICATION_CODE_SESSION_KEY, allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT
    ):
        messages.error(request, _("Your verification code has expired. Log in again to get a new code."))
    response: HttpResponse = allauth_views.email_verification_sent(request)
    return response


def confirm_password_reset_code(request: HttpRequest) -> HttpResponse:
    if _code_expired(
        request, PASSWORD_RESET_VERIFICATION_SESSION_KEY, allauth_settings.PASSWORD_RESET_BY_CODE_TIMEOUT
    ):
        request.session.pop(PASSWORD_RESET_VERIFICATION_SESSION_KEY, None)
        messages.error(request, _("Your password reset code has expired. Please request a new one."))
        return redirect("account_reset_password")
    response: HttpResponse = allauth_views.confirm_password_reset_code(request)
    return response
