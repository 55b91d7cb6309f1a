"""Brute-force protection: django-axes locks an account after repeated failures."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def fail_logins(client, email, times):
    for _ in range(times):
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong-password"})
    return response


def test_four_failures_still_show_the_login_form(client, owner, settings):
    response = fail_logins(client, owner.email, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "signing in to this account is blocked for 15 minutes"),
        ("ar", "أُوقف تسجيل الدخول إلى هذا الحساب 15 دقيقة"),
    ],
)
def test_fifth_failure_locks_the_account_with_a_clear_message(client, owner, settings, language, expected):
    client.cookies["django_language"] = language
    response = fail_logins(client, owner.email, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    body = response.content.decode()
    assert expected in body
    assert 'data-testid="switch-language"' in body


def test_locked_account_refuses_even_the_right_password(client, owner, password, settings):
    fail_logins(client, owner.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("account_login"), {"login": owner.email, "password": password})
    assert response.status_code == 429
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_lockout_is_per_account(client, owner, other_patient, password, settings):
    fail_logins(client, owner.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("account_login"), {"login": other_patient.email, "password": password})
    assert response.status_code == 302


def test_lockout_treats_email_case_insensitively(client, owner, settings):
    fail_logins(client, owner.email.upper(), settings.AXES_FAILURE_LIMIT - 1)
    response = fail_logins(client, owner.email, 1)
    assert response.status_code == 429
