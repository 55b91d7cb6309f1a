"""Two-factor sign-in (allauth.mfa: TOTP + recovery codes), enforced in one place.

Who must use it is decided by ``accounts.roles.requires_mfa`` (clinicians and every staff
account). allauth asks every account that has an authenticator for a code at sign-in; this
module makes sure such accounts *have* one before they reach the staff areas:

- ``MfaRequiredMiddleware``: a signed-in account that must use two-factor sign-in but has no
  TOTP authenticator is sent to the activation page from the review queue and the Django
  admin (with a message), and gets a 403 in the API's error format from the clinician API;
- ``api_token_check``: API token sign-in of such accounts needs a TOTP or recovery code, and
  their tokens are refused while they have none;
- ``MfaAdapter``: they cannot switch it off again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

from accounts.roles import requires_mfa

# Paths that need two-factor sign-in for the accounts that must use it (prefix match).


def has_totp(user: Any) -> bool:
    if not getattr(user, "pk", None):
        return False
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_missing(user: Any) -> bool:
    """True when ``user`` must use two-factor sign-in and has not set it up yet."""
    return requires_mfa(user) and not has_totp(user)


def enforced_paths() -> tuple[str, ...]:
    return tuple(settings.MFA_ENFORCED_PATHS)


class MfaRequired(exceptions.PermissionDenied):
    default_detail = gettext_lazy(
        "Clinician and staff accounts must use two-factor sign-in. Set up an authenticator app "
        "in your account settings on the website first."
    )
    default_code = "mfa_required"


class MfaCodeRequired(exceptions.PermissionDenied):
    default_detail = gettext_lazy(
        "This account uses two-factor sign-in: send the 6-digit code from your authenticator "
        "app (or one of your recovery codes) as `otp`."
    )
    default_code = "mfa_code_required"


class MfaRequiredMiddleware:
    """Sends accounts that must use two-factor sign-in, and have not set it up, to the
    TOTP activation page before they open the review queue or the Django admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(enforced_paths()) and mfa_missing(request.user):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            error = MfaRequired()
            body = {"error": {"code": error.default_code, "message": str(error.detail), "fields": {}}}
            return JsonResponse(body, status=403)
        messages.warning(
            request,
            _(
                "Clinician and staff accounts must use two-factor sign-in. Set up an authenticator "
                "app now: it takes a minute, and you will then be asked for a code each time you sign in."
            ),
        )
        return redirect("mfa_activate_totp")


def api_token_check(*, user: Any, code: str) -> None:
    """Token sign-in: an account that must use two-factor sign-in needs a valid code (TOTP or
    a recovery code, checked by allauth, rate-limited), and cannot sign in before it has one."""
    if not has_totp(user):
        if requires_mfa(user):
            raise MfaRequired
        return  # a patient who has not turned two-factor sign-in on
    if not code:
        raise MfaCodeRequired
    form = AuthenticateForm(user=user, data={"code": code})
    if not form.is_valid():
        raise exceptions.ValidationError({"otp": form.errors.get("code", [_("Incorrect code.")])})
    form.authenticator.record_usage()


def api_token_user_check(user: Any) -> None:
    """A token of an account that must use two-factor sign-in and has none is refused."""
    if mfa_missing(user):
        raise MfaRequired


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": gettext_lazy(
            "Clinician and staff accounts must use two-factor sign-in, so it cannot be switched off."
        ),
    }

    def get_totp_issuer(self) -> str:
        return "Jildi"

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not requires_mfa(authenticator.user)
