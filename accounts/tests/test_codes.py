"""Verification/reset codes that resist guessing, and no account enumeration."""

from __future__ import annotations

import math
from typing import Any

import pytest
from allauth import app_settings as allauth_settings
from allauth.account import app_settings as account_settings
from allauth.core.internal.cryptokit import generate_user_code
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.helpers import CODE_RE, last_code

pytestmark = pytest.mark.django_db

STRONG = "Quiet-Meadow-Lantern-47"
# The base settings' limits (the test settings switch allauth's limiter off).
BASE_RATE_LIMITS = {"login_failed": False}


def signup(client: Client, email: str = "new@example.com") -> Any:
    data = {"email": email, "password1": STRONG, "password2": STRONG}
    return client.post(reverse("account_signup"), data)


def test_codes_have_at_least_34_bits_and_few_guesses() -> None:
    fmt = allauth_settings.USER_CODE_FORMAT
    alphabet = 10 if fmt.get("numeric") else 20
    bits = fmt.get("length", 8) * math.log2(alphabet)
    assert bits >= 34  # a 6-digit code has 19.9
    assert account_settings.EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS <= 3
    assert account_settings.PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS <= 3
    assert CODE_RE.fullmatch(generate_user_code(**fmt))


@pytest.mark.parametrize("typed", [str.lower, lambda code: code.replace("-", ""), lambda code: f" {code} "])
def test_a_code_can_be_typed_loosely_on_a_phone(client: Client, typed: Any) -> None:
    signup(client)
    code = last_code("new@example.com")
    response = client.post(reverse("account_email_verification_sent"), {"code": typed(code)})
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").emailaddress_set.get().verified


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_code_field_is_left_to_right_and_capitalised(client: Client, language: str) -> None:
    client.cookies["django_language"] = language
    signup(client)
    html = client.get(reverse("account_email_verification_sent")).content.decode()
    field = next(tag for tag in html.split("<input") if 'name="code"' in tag)
    assert 'dir="ltr"' in field
    assert 'autocapitalize="characters"' in field
    assert 'autocomplete="one-time-code"' in field


def test_the_code_reads_on_its_own_line_in_an_arabic_email(client: Client) -> None:
    client.cookies["django_language"] = "ar"
    signup(client)
    code = last_code("new@example.com")
    assert code in mail.outbox[-1].body.splitlines()


def test_password_reset_does_not_tell_whether_an_account_exists(client: Client, owner: Any) -> None:
    known = client.post(reverse("account_reset_password"), {"email": owner.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert "not assigned" not in unknown.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "no Jildi account uses this address"),
        ("ar", "لا يوجد حساب في جلدي مسجّل بهذا العنوان"),
    ],
)
def test_an_unknown_address_learns_it_by_email(client: Client, language: str, expected: str) -> None:
    client.cookies["django_language"] = language
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nobody@example.com"]
    assert expected in mail.outbox[0].body
    assert reverse("account_signup") in mail.outbox[0].body


def test_reset_requests_per_address_are_limited_in_the_shared_cache(
    client: Client, owner: Any, settings: Any
) -> None:
    """allauth's default: 5 reset codes a minute per address, whatever the client address."""
    settings.ACCOUNT_RATE_LIMITS = BASE_RATE_LIMITS
    codes = [
        Client()
        .post(reverse("account_reset_password"), {"email": owner.email}, REMOTE_ADDR=f"192.0.2.{i}")
        .status_code
        for i in range(6)
    ]
    assert codes == [302] * 5 + [429]
    from django.core.cache import cache

    client_ = cache._cache.get_client()
    assert any(b"rl:" in key for key in client_.scan_iter(match=f"{cache.key_prefix}:*"))
