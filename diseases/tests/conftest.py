from __future__ import annotations

import pytest
from django.test import Client

from diseases.services import content_editor_grant


@pytest.fixture
def content_editor(django_user_model):
    """Staff account in the "Content editors" group (created by migration 0002)."""
    user = django_user_model.objects.create_user(email="editor@example.com", password="editor-password-123")
    content_editor_grant(user=user)
    return user


@pytest.fixture
def content_editor_client(content_editor) -> Client:
    client = Client()
    client.force_login(content_editor)
    return client


@pytest.fixture
def logged_in(db):
    """Return a logged-in Django test client for any user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
