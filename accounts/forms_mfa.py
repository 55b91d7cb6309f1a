"""allauth.mfa forms with Jildi's labels: codes are digits, typed left to right, offered by the
phone's number pad and filled in from the authenticator app where the platform can."""

from __future__ import annotations

from typing import Any

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.utils.translation import gettext_lazy as _

CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "maxlength": "16"}


def _code_field(form: forms.Form, label: str) -> None:
    field = form.fields["code"]
    field.label = label
    field.widget.attrs.update({**CODE_ATTRS, "placeholder": "123456"})


class MfaAuthenticateForm(AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self, str(_("Code from your authenticator app, or a recovery code")))


class MfaReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self, str(_("Code from your authenticator app, or a recovery code")))


class MfaActivateTOTPForm(ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self, str(_("The 6-digit code your app shows now")))
