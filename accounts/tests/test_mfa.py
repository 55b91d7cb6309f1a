"""Two-factor sign-in: who must use it, where it is enforced (site, clinician API, admin,
API token sign-in), that staff cannot switch it off, and that patients may use it."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import requires_mfa
from accounts.testing import enrol_totp, recovery_codes, totp_code
from accounts.tokens import token_issue
from portal.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api:auth-token")
ACTIVATE_URL = reverse("mfa_activate_totp")
QUEUE_URL = "/clinician/"
CLINICIAN_API_URL = "/api/v1/clinician/queue/"


def _unenrolled(role: str) -> Any:
    """A fresh account of ``role`` without an authenticator (the fixtures have one)."""
    from accounts.services import user_grant_admin
    from diseases.services import content_editor_grant

    email = f"new-{role}@example.com"
    if role == "clinician":
        return make_user(email, is_clinician=True)
    if role == "superuser":
        return make_user(email, is_staff=True, is_superuser=True)
    if role == "group_admin":
        return user_grant_admin(user=make_user(email))
    if role == "content_editor":
        user = make_user(email)
        content_editor_grant(user=user)
        return user
    if role == "plain_staff":
        return make_user(email, is_staff=True)
    return make_user(email)


STAFF_ROLES = ["clinician", "superuser", "group_admin", "content_editor", "plain_staff"]


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_clinicians_and_every_staff_account_must_use_two_factor(role: str) -> None:
    assert requires_mfa(_unenrolled(role))


def test_patients_and_inactive_staff_need_not(owner: Any) -> None:
    assert not requires_mfa(owner)
    inactive = _unenrolled("clinician")
    inactive.is_active = False
    assert not requires_mfa(inactive)


# --- the site and the admin -----------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("url", [QUEUE_URL, "/admin/", "/admin/diseases/disease/"])
def test_staff_without_totp_are_sent_to_the_activation_page(role: str, url: str) -> None:
    client = _login(_unenrolled(role))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL
    (message,) = list(get_messages(response.wsgi_request))
    assert "two-factor sign-in" in str(message)


def test_the_message_is_translated() -> None:
    client = _login(_unenrolled("clinician"))
    response = client.get(QUEUE_URL, HTTP_ACCEPT_LANGUAGE="ar")
    (message,) = list(get_messages(response.wsgi_request))
    assert any("\u0600" <= ch <= "\u06ff" for ch in str(message))


@pytest.mark.parametrize("who", ["clinician_client", "staff_client", "group_admin_client"])
def test_enrolled_reviewers_open_the_queue_and_admin(request: Any, who: str) -> None:
    client = request.getfixturevalue(who)
    assert client.get(QUEUE_URL).status_code == 200
    if who != "clinician_client":
        assert client.get("/admin/").status_code == 200


def test_staff_without_totp_keep_their_own_patient_pages() -> None:
    client = _login(_unenrolled("clinician"))
    assert client.get(reverse("diagnosis:history")).status_code == 200
    assert client.get(ACTIVATE_URL).status_code in (200, 302)  # 302: confirm the password first


def test_patients_are_not_redirected_and_still_get_404(owner_client: Client) -> None:
    assert owner_client.get(QUEUE_URL).status_code == 404


def test_activation_page_shows_qr_secret_and_why(settings: Any) -> None:
    user = _unenrolled("clinician")
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(ACTIVATE_URL)["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(ACTIVATE_URL, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="totp-qr"' in body and "data:image/svg+xml;base64," in body
    assert 'data-testid="mfa-required-note"' in body
    assert 'inputmode="numeric"' in body


def test_django_admin_login_goes_through_allauth() -> None:
    response = Client().get("/admin/login/?next=/admin/diseases/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Fdiseases%2F"
    # A password POSTed to the admin's own form signs nobody in.
    Client().post("/admin/login/", {"username": "admin@example.com", "password": PASSWORD})
    assert Client().get("/admin/").status_code == 302


# --- the clinician API ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clinician", "superuser", "group_admin"])
def test_clinician_api_by_session_without_totp_is_a_clear_403(role: str) -> None:
    response = _login(_unenrolled(role)).get(CLINICIAN_API_URL)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "mfa_required"
    assert "two-factor" in error["message"]


def test_a_token_of_staff_without_totp_is_refused() -> None:
    user = _unenrolled("clinician")
    _instance, token = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for url in (CLINICIAN_API_URL, reverse("api:me")):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "mfa_required"


def test_enrolled_clinician_token_reaches_the_clinician_api(clinician: Any) -> None:
    _instance, token = token_issue(user=clinician)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(CLINICIAN_API_URL).status_code == 200


# --- API token sign-in ------------------------------------------------------------------------


def _token(email: str, **extra: str) -> Any:
    return APIClient().post(TOKEN_URL, {"email": email, "password": PASSWORD, **extra}, format="json")


def test_token_sign_in_of_staff_without_totp_is_refused() -> None:
    user = _unenrolled("plain_staff")
    response = _token(user.email)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_token_sign_in_of_enrolled_staff_needs_a_code(clinician: Any) -> None:
    response = _token(clinician.email)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_code_required"
    current = totp_code(enrol_totp(clinician))
    wrong = _token(clinician.email, otp="000000" if current != "000000" else "111111")
    assert wrong.status_code == 400
    assert "otp" in wrong.json()["error"]["fields"]
    good = _token(clinician.email, otp=totp_code(enrol_totp(clinician)))
    assert good.status_code == 200 and good.json()["token"]


def test_token_sign_in_with_a_recovery_code_works_once(admin_user: Any) -> None:
    code = recovery_codes(admin_user)[0]
    assert _token(admin_user.email, otp=code).status_code == 200
    assert code not in recovery_codes(admin_user)
    assert _token(admin_user.email, otp=code).status_code == 400


def test_a_wrong_password_says_nothing_about_two_factor(clinician: Any) -> None:
    data = {"email": clinician.email, "password": "wrong-wrong"}
    response = APIClient().post(TOKEN_URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_patient_token_sign_in_is_unchanged_and_respects_their_own_totp(owner: Any) -> None:
    assert _token(owner.email).status_code == 200
    secret = enrol_totp(owner)
    assert _token(owner.email).json()["error"]["code"] == "mfa_code_required"
    assert _token(owner.email, otp=totp_code(secret)).status_code == 200


# --- sign-in on the site, switching it off ------------------------------------------------------


def _sign_in(user: Any, secret: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(QUEUE_URL).status_code == 302  # not signed in until the code is given
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    return client


def _confirm(client: Client, user: Any) -> None:
    """allauth asks for the password again (or a code) before two-factor settings change."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_site_sign_in_asks_for_the_code_then_opens_the_queue(clinician: Any) -> None:
    client = _sign_in(clinician, enrol_totp(clinician))
    assert client.get(QUEUE_URL).status_code == 200


def test_staff_cannot_switch_two_factor_off(clinician: Any) -> None:
    client = _sign_in(clinician, enrol_totp(clinician))
    _confirm(client, clinician)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "cannot be switched off" in response.content.decode()
    assert Authenticator.objects.filter(user=clinician, type=Authenticator.Type.TOTP).exists()


def test_patients_can_switch_it_on_and_off(owner: Any) -> None:
    client = _sign_in(owner, enrol_totp(owner))
    _confirm(client, owner)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=owner).exists()


def test_profile_links_to_two_factor_settings(owner_client: Client) -> None:
    body = owner_client.get(reverse("accounts:profile")).content.decode()
    assert reverse("mfa_index") in body and 'data-testid="profile-mfa-link"' in body


# --- the admin's authenticator list --------------------------------------------------------------


def test_admins_see_authenticators_without_their_secrets_and_can_delete_one(
    staff_client: Client, clinician: Any
) -> None:
    secret = enrol_totp(clinician)
    totp = Authenticator.objects.get(user=clinician, type=Authenticator.Type.TOTP)
    listing = staff_client.get(reverse("admin:mfa_authenticator_changelist"))
    assert listing.status_code == 200 and clinician.email in listing.content.decode()
    page = staff_client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk])).content.decode()
    assert secret not in page and "seed" not in page
    response = staff_client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def test_content_editors_cannot_open_the_authenticator_list(content_editor_client: Client) -> None:
    assert content_editor_client.get(reverse("admin:mfa_authenticator_changelist")).status_code == 403
