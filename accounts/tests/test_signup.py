"""Sign-up, email verification by code, and the errors users can hit, in both languages."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.password_reset_by_code import PASSWORD_RESET_VERIFICATION_SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.helpers import CODE_RE, WRONG_CODE, last_code

pytestmark = pytest.mark.django_db

STRONG = "Quiet-Meadow-Lantern-47"


def signup(client, email="new@example.com", password=STRONG, password2=None, **extra):
    data = {"email": email, "password1": password, "password2": password2 or password, **extra}
    return client.post(reverse("account_signup"), data)


def use_language(client, language):
    client.cookies["django_language"] = language


def test_signup_sends_a_code_and_the_code_logs_the_user_in(client):
    response = signup(client, full_name="Nora Newcomer")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    code = last_code("new@example.com")
    assert CODE_RE.fullmatch(code)

    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.wsgi_request.user.is_authenticated
    user = User.objects.get(email="new@example.com")
    assert user.full_name == "Nora Newcomer"
    assert user.emailaddress_set.get().verified
    assert not user.is_clinician


def test_signup_in_arabic_sets_arabic_preference_and_sends_arabic_email(client):
    use_language(client, "ar")
    signup(client)
    user = User.objects.get(email="new@example.com")
    assert user.preferred_language == "ar"
    assert any("\u0600" <= ch <= "\u06ff" for ch in mail.outbox[0].body)


def test_unverified_user_is_not_logged_in_before_entering_the_code(client):
    signup(client)
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_signup_cannot_choose_clinician_role(client):
    signup(client, is_clinician="on", is_staff="on")
    user = User.objects.get(email="new@example.com")
    assert not user.is_clinician
    assert not user.is_staff


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Incorrect code"), ("ar", "الرمز غير صحيح")],
)
def test_wrong_code_shows_a_clear_error(client, language, expected):
    use_language(client, language)
    signup(client)
    code = last_code()
    assert code != WRONG_CODE
    response = client.post(reverse("account_email_verification_sent"), {"code": WRONG_CODE})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Your verification code has expired"), ("ar", "انتهت صلاحية رمز التحقق")],
)
def test_expired_code_shows_a_clear_error(client, language, expected):
    use_language(client, language)
    signup(client)
    code = last_code()
    session = client.session
    session["account_email_verification_code"]["at"] = time.time() - 3600
    session.save()
    response = client.post(reverse("account_email_verification_sent"), {"code": code}, follow=True)
    assert expected in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.get(email="new@example.com").emailaddress_set.get().verified


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "an account with this address already exists"),
        ("ar", "يوجد حساب مسجّل بهذا العنوان بالفعل"),
    ],
)
def test_duplicate_email_is_told_to_the_address_not_the_screen(client, owner, language, expected):
    """The page looks like any sign-up (no enumeration); the address's owner learns why by email."""
    use_language(client, language)
    response = signup(client, email=owner.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert expected in mail.outbox[0].body
    assert reverse("account_reset_password") in mail.outbox[0].body


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This password is too common"), ("ar", "كلمة المرور هذه شائعة جداً")],
)
def test_weak_password_shows_a_clear_error(client, language, expected):
    use_language(client, language)
    response = signup(client, password="password123")
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_password_reset_by_code_then_login_with_new_password(client, owner):
    client.post(reverse("account_reset_password"), {"email": owner.email})
    code = last_code(owner.email)
    response = client.post(reverse("account_confirm_password_reset_code"), {"code": code})
    assert response.status_code == 302
    new_password = "Brand-New-Orchard-93"
    response = client.post(
        reverse("account_complete_password_reset"), {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)
    response = client.post(reverse("account_login"), {"login": owner.email, "password": new_password})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == owner


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Your password reset code has expired"), ("ar", "انتهت صلاحية رمز إعادة تعيين كلمة المرور")],
)
def test_expired_reset_code_shows_a_clear_error(client, owner, language, expected):
    use_language(client, language)
    client.post(reverse("account_reset_password"), {"email": owner.email})
    code = last_code(owner.email)
    session = client.session
    session[PASSWORD_RESET_VERIFICATION_SESSION_KEY]["at"] = time.time() - 3600
    session.save()
    response = client.post(reverse("account_confirm_password_reset_code"), {"code": code}, follow=True)
    assert expected in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("account_reset_password")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_too_many_wrong_codes_ends_the_attempt_with_a_message(client, language):
    from allauth.account.adapter import get_adapter
    from django.utils import translation

    use_language(client, language)
    signup(client)
    assert last_code() != WRONG_CODE
    for _ in range(2):
        client.post(reverse("account_email_verification_sent"), {"code": WRONG_CODE})
    response = client.post(reverse("account_email_verification_sent"), {"code": WRONG_CODE}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    with translation.override(language):
        expected = str(get_adapter().error_messages["too_many_login_attempts"])
    assert expected in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
