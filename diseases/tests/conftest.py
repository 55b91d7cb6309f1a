from __future__ import annotations

import pytest
from django.test import Client

# content_editor / content_editor_client live in the root conftest (every access matrix uses them).


@pytest.fixture
def logged_in(db):
    """Return a logged-in Django test client for any user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
