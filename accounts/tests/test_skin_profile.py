"""Year of birth, sex and skin type in the profile: optional, editable on the profile
page and through `me/`, validated, and described in plain words."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PROFILE = {"full_name": "Olivia Owner", "preferred_language": "en", "preferred_theme": "auto"}


def test_the_profile_page_offers_the_optional_skin_fields_with_plain_descriptions(
    owner_client: Client,
) -> None:
    html = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "For your skin checks (optional)" in html
    for text in (
        'name="birth_year"',
        'name="sex"',
        'name="fitzpatrick"',
        "Prefer not to say",
        "Type I: very fair skin, often with freckles; always burns, never tans",
        "Type VI: dark brown or black skin; almost never burns",
        "strong sun without sunscreen",
    ):
        assert text in html, text


def test_the_skin_fields_are_saved_and_can_be_cleared(owner_client: Client, owner: Any) -> None:
    response = owner_client.post(
        reverse("accounts:profile"), {**PROFILE, "birth_year": "1985", "sex": "female", "fitzpatrick": "3"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (1985, "female", 3)
    owner_client.post(
        reverse("accounts:profile"), {**PROFILE, "birth_year": "", "sex": "", "fitzpatrick": ""}
    )
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (None, "", None)


def test_skipping_the_skin_fields_is_fine(owner_client: Client, owner: Any) -> None:
    assert owner_client.post(reverse("accounts:profile"), PROFILE).status_code == 302


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_year": str(timezone.now().year + 1)},
        {"birth_year": "1800"},
        {"fitzpatrick": "7"},
        {"sex": "x"},
    ],
)
def test_impossible_values_are_refused(owner_client: Client, owner: Any, bad: dict[str, str]) -> None:
    response = owner_client.post(reverse("accounts:profile"), {**PROFILE, **bad})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (None, "", None)


def test_me_reads_and_updates_the_skin_fields(owner: Any) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    url = reverse("api:me")
    assert {k: api.get(url).json()[k] for k in ("birth_year", "sex", "fitzpatrick")} == {
        "birth_year": None,
        "sex": "",
        "fitzpatrick": None,
    }
    response = api.patch(url, {"birth_year": 1990, "sex": "male", "fitzpatrick": 5}, format="json")
    assert response.status_code == 200 and response.json()["fitzpatrick"] == 5
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (1990, "male", 5)
    # A partial update leaves the others alone; null clears one.
    api.patch(url, {"birth_year": None}, format="json")
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (None, "male", 5)


@pytest.mark.parametrize(
    "bad", [{"birth_year": 3000}, {"birth_year": "soon"}, {"fitzpatrick": 0}, {"sex": "unknown"}]
)
def test_me_refuses_impossible_values(owner: Any, bad: dict[str, Any]) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    response = api.patch(reverse("api:me"), bad, format="json")
    assert response.status_code == 400 and next(iter(bad)) in response.json()["error"]["fields"]
    owner.refresh_from_db()
    assert (owner.birth_year, owner.sex, owner.fitzpatrick) == (None, "", None)
