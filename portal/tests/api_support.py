"""Helpers and fixtures for API tests (imported by the API test modules).

Fixture functions carry a ``_fixture`` suffix (registered under their short name)
so importing them does not shadow the test arguments.

The named users come from the root conftest (owner, other_patient, clinician,
admin_user); this adds token clients for them, an unverified account and a clean
throttle cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

PASSWORD = "Correct-Horse-Battery-9"


def token_client(user: Any | None) -> APIClient:
    """An API client sending `Authorization: Token ...` for ``user`` (anonymous if None)."""
    from accounts.tokens import token_issue

    client = APIClient()
    if user is not None:
        _instance, token = token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]


@pytest.fixture(autouse=True, name="_clear_throttles")
def clear_throttles_fixture() -> Any:
    """Throttle counters live in the cache; every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="unverified")
def unverified_fixture(db: Any) -> Any:
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email="unverified@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


@pytest.fixture(name="api_clients")
def api_clients_fixture(
    owner: Any, other_patient: Any, clinician: Any, admin_user: Any, unverified: Any
) -> Any:
    """Token clients by role name, plus "anonymous"."""
    return {
        "owner": token_client(owner),
        "other_patient": token_client(other_patient),
        "clinician": token_client(clinician),
        "admin": token_client(admin_user),
        "unverified": token_client(unverified),
        "anonymous": token_client(None),
    }
