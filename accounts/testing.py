"""Test and demo helpers for two-factor sign-in (no test framework imports: seed_demo uses them)."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt

# A fixed secret for tests (base32, 20 bytes); seed_demo has its own.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The RFC 6238 code an authenticator app shows for ``secret`` now (or at ``at``)."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def enrol_totp(user: Any, secret: str | None = None) -> str:
    """Give ``user`` a TOTP authenticator and recovery codes, as the activation page does;
    returns the secret. Idempotent: an existing TOTP authenticator is kept."""
    existing = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
    return secret


def recovery_codes(user: Any) -> list[str]:
    authenticator = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES)
    return list(authenticator.wrap().get_unused_codes())
