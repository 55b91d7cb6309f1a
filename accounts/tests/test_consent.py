"""Consent to use photos for training: asked at sign-up (off unless ticked), changeable later."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


def _signup(client: Client, email: str, **extra: str) -> Any:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("account_signup"), data)


def test_signup_records_consent_only_when_ticked(client: Client) -> None:
    page = client.get(reverse("account_signup")).content.decode()
    assert (
        'name="training_consent"' in page and "checked" not in page.split('name="training_consent"')[1][:80]
    )
    _signup(client, "no@example.com")
    _signup(Client(), "yes@example.com", training_consent="on")
    no, yes = User.objects.get(email="no@example.com"), User.objects.get(email="yes@example.com")
    assert not no.training_consent and no.training_consent_at is None
    assert yes.training_consent and yes.training_consent_at is not None


def test_the_signup_consent_is_translated(client: Client) -> None:
    client.cookies["django_language"] = "ar"
    assert "يمكن استخدام صوري لتحسين النموذج" in client.get(reverse("account_signup")).content.decode()


def test_consent_and_the_result_email_through_the_api(owner: Any) -> None:
    from portal.testing import token_client

    client = token_client(owner)
    me = client.get(reverse("api:me")).json()
    assert me["training_consent"] is False and me["notify_result_ready"] is False
    changed = client.patch(
        reverse("api:me"), {"training_consent": True, "notify_result_ready": True}, format="json"
    ).json()
    assert changed["training_consent"] is True and changed["notify_result_ready"] is True
    owner.refresh_from_db()
    assert owner.training_consent_at is not None
