"""Helpers shared by the test suites (the fixtures are in the root conftest.py)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import enrol_totp

PASSWORD = "Correct-Horse-Battery-9"
CHROMIUM = "/usr/bin/chromium"


def make_user(email_address: str, *, verified: bool = True, **extra: Any) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email_address, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def make_staff_user(email_address: str, **extra: Any) -> User:
    """A clinician or staff account with two-factor sign-in set up (accounts.roles.requires_mfa),
    so it may open the review queue, the clinician API and the admin."""
    user = make_user(email_address, **extra)
    enrol_totp(user)
    return user


def message_text(message: EmailMessage) -> str:
    """Plain-text body of an email (the part where allauth puts the code)."""
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def token_client(user: User | None) -> APIClient:
    """An API client sending `Authorization: Token ...` for ``user`` (anonymous if None)."""
    from accounts.tokens import token_issue

    client = APIClient()
    if user is not None:
        _instance, token = token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code
