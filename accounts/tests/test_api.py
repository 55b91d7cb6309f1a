"""API: token sign-in/revoke (verified accounts only; hashed, per-device, expiring tokens),
profile, language, auth throttling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.testing import PASSWORD, error_code, token_client

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api:auth-token")
ME_URL = reverse("api:me")


def test_verified_user_obtains_a_token_and_uses_it(owner: Any) -> None:
    response = APIClient().post(
        TOKEN_URL, {"email": "OWNER@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    assert AuthToken.objects.get(user=owner).digest == hash_token(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["email"] == "owner@example.com"


def test_wrong_password_is_refused_with_the_error_format(owner: Any) -> None:
    response = APIClient().post(
        TOKEN_URL, {"email": owner.email, "password": "nope-nope-nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_credentials"
    assert body["message"]
    assert not AuthToken.objects.filter(user=owner).exists()


def test_unverified_account_gets_no_token(unverified: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"email": unverified.email, "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert error_code(response) == "email_unverified"
    assert not AuthToken.objects.filter(user=unverified).exists()


def test_unverified_account_with_a_token_is_still_refused(unverified: Any) -> None:
    response = token_client(unverified).get(ME_URL)
    assert response.status_code == 403
    assert error_code(response) == "email_unverified"


def test_missing_fields_are_reported_per_field() -> None:
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"email", "password"}


def test_revoking_the_token_stops_it_working(owner: Any) -> None:
    client = token_client(owner)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not AuthToken.objects.filter(user=owner).exists()
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert error_code(response) == "authentication_failed"


def sign_in(user: Any, password: str = PASSWORD) -> dict[str, Any]:
    response = APIClient().post(TOKEN_URL, {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def client_for(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_tokens_are_stored_only_as_hashes(owner: Any) -> None:
    token = sign_in(owner)["token"]
    assert len(token) >= 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert token[:15] in stored  # knox's lookup prefix; the other 49 hex digits exist nowhere


def test_each_sign_in_gets_its_own_token_and_revoking_one_keeps_the_others(owner: Any) -> None:
    phone, tablet = sign_in(owner)["token"], sign_in(owner)["token"]
    assert phone != tablet
    assert client_for(phone).get(ME_URL).status_code == 200
    assert client_for(tablet).get(ME_URL).status_code == 200
    assert client_for(phone).delete(TOKEN_URL).status_code == 204
    assert client_for(phone).get(ME_URL).status_code == 401
    assert client_for(tablet).get(ME_URL).status_code == 200


def test_revoke_all_signs_out_every_device(owner: Any) -> None:
    phone, tablet = sign_in(owner)["token"], sign_in(owner)["token"]
    assert client_for(phone).delete(TOKEN_URL + "?all=true").status_code == 204
    assert client_for(tablet).get(ME_URL).status_code == 401
    assert not AuthToken.objects.filter(user=owner).exists()


def test_a_token_expires(owner: Any) -> None:
    body = sign_in(owner)
    expiry = timezone.datetime.fromisoformat(body["expiry"].replace("Z", "+00:00"))
    assert timedelta(days=29) < expiry - timezone.now() <= timedelta(days=30)
    AuthToken.objects.filter(user=owner).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client_for(body["token"]).get(ME_URL)
    assert response.status_code == 401
    assert error_code(response) == "authentication_failed"


@override_settings(API_TOKENS_PER_USER=3)
def test_signing_in_past_the_device_limit_retires_the_oldest_token(owner: Any) -> None:
    tokens = [sign_in(owner)["token"] for _ in range(4)]
    assert AuthToken.objects.filter(user=owner).count() == 3
    assert client_for(tokens[0]).get(ME_URL).status_code == 401
    assert all(client_for(t).get(ME_URL).status_code == 200 for t in tokens[1:])


def test_password_change_revokes_every_token(owner: Any, other_patient: Any) -> None:
    phone, tablet = sign_in(owner)["token"], sign_in(owner)["token"]
    bystander = sign_in(other_patient)["token"]
    owner.set_password("A-brand-new-Passw0rd")
    owner.save()
    assert client_for(phone).get(ME_URL).status_code == 401
    assert client_for(tablet).get(ME_URL).status_code == 401
    assert client_for(bystander).get(ME_URL).status_code == 200
    assert sign_in(owner, "A-brand-new-Passw0rd")["token"]


def test_password_change_on_the_site_revokes_api_tokens(owner: Any) -> None:
    token = sign_in(owner)["token"]
    browser = Client()
    browser.force_login(owner)
    response = browser.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "A-brand-new-Passw0rd", "password2": "A-brand-new-Passw0rd"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert client_for(token).get(ME_URL).status_code == 401


def test_password_reset_revokes_api_tokens(owner: Any) -> None:
    from allauth.account.internal.flows.password_reset import reset_password

    token = sign_in(owner)["token"]
    reset_password(owner, "Reset-Passw0rd-99")  # where allauth's reset-by-code flow ends
    assert client_for(token).get(ME_URL).status_code == 401


def test_signing_in_again_keeps_other_devices_signed_in(owner: Any) -> None:
    # Django may re-hash the password at sign-in (a hasher upgrade): that is not a change.
    first = sign_in(owner)["token"]
    owner.check_password(PASSWORD)
    sign_in(owner)
    assert client_for(first).get(ME_URL).status_code == 200


def test_deleting_the_account_revokes_its_tokens(owner: Any) -> None:
    token = sign_in(owner)["token"]
    owner.delete()
    assert not AuthToken.objects.exists()
    assert client_for(token).get(ME_URL).status_code == 401


def test_a_deactivated_account_cannot_use_its_token(owner: Any) -> None:
    token = sign_in(owner)["token"]
    owner.is_active = False
    owner.save()
    assert client_for(token).get(ME_URL).status_code == 401


def test_a_token_header_that_is_not_text_is_401_not_500(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token \xff\xfe\xfd")
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert error_code(response) == "authentication_failed"


def test_an_expired_token_is_refused_in_the_callers_language(owner: Any) -> None:
    token = sign_in(owner)["token"]
    AuthToken.objects.filter(user=owner).update(expiry=timezone.now() - timedelta(seconds=1))
    message = client_for(token).get(ME_URL + "?lang=ar").json()["error"]["message"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message), message


def test_token_field_help_is_translated() -> None:
    from django.utils import translation

    from accounts.serializers import TokenSerializer

    fields = TokenSerializer().fields
    with translation.override("ar"):
        for name in ("token", "expiry"):
            text = str(fields[name].help_text)
            assert any("\u0600" <= ch <= "\u06ff" for ch in text), (name, text)


def test_revoke_requires_authentication() -> None:
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other_patient", 200), ("clinician", 200), ("admin", 200), ("unverified", 403)],
)
def test_me_access_matrix(api_clients: dict[str, APIClient], who: str, expected: int) -> None:
    assert api_clients[who].get(ME_URL).status_code == expected


def test_me_anonymous_is_401(api_clients: dict[str, APIClient]) -> None:
    response = api_clients["anonymous"].get(ME_URL)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_me_shows_roles(clinician: Any, admin_user: Any) -> None:
    assert token_client(clinician).get(ME_URL).json()["is_clinician"] is True
    assert token_client(admin_user).get(ME_URL).json()["is_admin"] is True


def test_patch_me_updates_language_theme_and_name(owner: Any) -> None:
    response = token_client(owner).patch(
        ME_URL,
        {"preferred_language": "ar", "preferred_theme": "dark", "full_name": " Olivia O "},
        format="json",
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert (owner.preferred_language, owner.preferred_theme, owner.full_name) == ("ar", "dark", "Olivia O")
    assert response.json()["preferred_theme"] == "dark"


def test_patch_me_rejects_unknown_values_and_cannot_grant_roles(owner: Any) -> None:
    client = token_client(owner)
    response = client.patch(ME_URL, {"preferred_theme": "neon"}, format="json")
    assert response.status_code == 400
    assert "preferred_theme" in response.json()["error"]["fields"]
    client.patch(ME_URL, {"is_clinician": True, "email": "x@example.com"}, format="json")
    owner.refresh_from_db()
    assert owner.is_clinician is False
    assert owner.email == "owner@example.com"


def test_session_authentication_works_for_the_sites_javascript(owner_client: Any) -> None:
    assert owner_client.get(ME_URL).status_code == 200


def test_session_writes_need_the_csrf_token(owner: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.patch(ME_URL, {"preferred_theme": "dark"}, format="json")
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.preferred_theme == "auto"


def test_error_messages_follow_accept_language(owner: Any) -> None:
    response = APIClient().get(ME_URL, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 401
    assert response["Content-Language"] == "ar"
    message = response.json()["error"]["message"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message), message


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "100/hour", "auth": "3/minute"},
    },
    AXES_ENABLED=False,
)
def test_sign_in_attempts_are_throttled_with_retry_after(owner: Any) -> None:
    client = APIClient()
    for _ in range(3):
        response = client.post(TOKEN_URL, {"email": owner.email, "password": "wrong-password"}, format="json")
        assert response.status_code == 400
    response = client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_lockout_answers_429_json(owner: Any) -> None:
    client = APIClient()
    codes = [
        client.post(
            TOKEN_URL, {"email": owner.email, "password": "wrong-password"}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert codes[:2] == [400, 400]
    response = client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "locked_out"
    assert int(response["Retry-After"]) > 0


def test_api_own_messages_are_translated(owner: Any) -> None:
    client = APIClient()
    data = {"email": owner.email, "password": "wrong-password"}
    english = client.post(TOKEN_URL + "?lang=en", data, format="json").json()["error"]["message"]
    arabic = client.post(TOKEN_URL + "?lang=ar", data, format="json").json()["error"]["message"]
    assert english == "The email address or password is not correct."
    assert arabic == "عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة."
