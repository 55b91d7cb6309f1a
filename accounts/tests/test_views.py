"""Profile, language switch and theme preference."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_shows_the_users_details(owner_client, owner):
    response = owner_client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert owner.email in response.content.decode()
    assert "Olivia Owner" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "role"),
    [
        ("owner_client", "Patient"),
        ("clinician_client", "Clinician"),
        ("staff_client", "Administrator"),
        ("group_admin_client", "Administrator"),
        ("content_editor_client", "Content editor"),
        ("plain_staff_client", "Patient"),  # is_staff alone is no role
    ],
)
def test_profile_names_the_role_decided_in_roles(request, who, role):
    html = request.getfixturevalue(who).get(reverse("accounts:profile")).content.decode()
    section = html.split("Your role", 1)[1].split("</p>", 1)[0]
    assert section.split(">")[-1].strip() == role


def test_profile_saves_name_language_and_theme_and_switches_language(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:profile"),
        {"full_name": "Olivia O.", "preferred_language": "ar", "preferred_theme": "dark"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.preferred_language, owner.preferred_theme) == ("Olivia O.", "ar", "dark")
    assert response.cookies["django_language"].value == "ar"
    page = owner_client.get(reverse("accounts:profile"))
    body = page.content.decode()
    assert 'dir="rtl"' in body
    assert "تم حفظ ملفك الشخصي." in body
    assert 'data-user-theme="dark"' in body


def test_profile_rejects_unknown_language(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:profile"), {"full_name": "", "preferred_language": "fr", "preferred_theme": "auto"}
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.preferred_language == "en"


def test_language_switch_sets_cookie_for_anonymous_visitors(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    body = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl"' in body
    assert "bootstrap.rtl.min.css" in body


def test_language_switch_is_saved_to_the_profile_of_a_signed_in_user(owner_client, owner):
    owner_client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    owner.refresh_from_db()
    assert owner.preferred_language == "ar"


def test_login_applies_the_users_preferred_language(client, owner, password):
    owner.preferred_language = "ar"
    owner.save()
    response = client.post(reverse("account_login"), {"login": owner.email, "password": password})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    assert 'dir="rtl"' in client.get("/").content.decode()


def test_theme_is_saved_for_signed_in_users(owner_client, owner):
    response = owner_client.post(reverse("accounts:set_theme"), {"theme": "dark"})
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.preferred_theme == "dark"


def test_theme_endpoint_accepts_anonymous_visitors_without_saving(client):
    response = client.post(reverse("accounts:set_theme"), {"theme": "light"})
    assert response.json() == {"ok": True, "theme": "light"}


def test_theme_endpoint_rejects_unknown_themes(owner_client, owner):
    response = owner_client.post(reverse("accounts:set_theme"), {"theme": "purple"})
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.preferred_theme == "auto"


def test_change_password_page_is_styled_and_works(owner_client, owner, password):
    page = owner_client.get(reverse("account_change_password"))
    assert page.status_code == 200
    assert "form-control" in page.content.decode()
    response = owner_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "Another-Strong-Pass-71",
            "password2": "Another-Strong-Pass-71",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Another-Strong-Pass-71")


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_auth_pages_offer_the_language_switch_and_theme_toggle(client, url_name, language):
    client.cookies["django_language"] = language
    body = client.get(reverse(url_name)).content.decode()
    assert 'data-testid="switch-language"' in body
    assert 'data-testid="theme-menu"' in body
    assert f'lang="{language}"' in body
