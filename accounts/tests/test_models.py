from __future__ import annotations

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_normalised():
    user = User.objects.create_user(email="Mixed.Case@Example.COM", password="x")
    assert user.email == "mixed.case@example.com"
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username")


def test_new_users_are_patients_with_defaults():
    user = User.objects.create_user(email="p@example.com", password="x")
    assert (user.is_clinician, user.is_staff, user.preferred_language, user.preferred_theme) == (
        False,
        False,
        "en",
        "auto",
    )


def test_create_superuser_is_staff():
    user = User.objects.create_superuser(email="root@example.com", password="x")
    assert user.is_staff and user.is_superuser


def test_short_name_falls_back_to_email_local_part():
    assert User(email="amal@example.com").get_short_name() == "amal"
    assert User(email="amal@example.com", full_name="Amal Haddad").get_short_name() == "Amal"
