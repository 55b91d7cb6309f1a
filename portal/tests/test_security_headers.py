"""Content-Security-Policy, Permissions-Policy and no caching of personal API answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/diseases/"])
def test_pages_carry_a_strict_policy(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("url", ["/", "/accounts/login/"])
def test_the_inline_theme_script_runs_by_nonce_and_is_the_only_one(client: Client, url: str) -> None:
    response = client.get(url)
    html = response.content.decode()
    nonces = [n for n in directives(response)["script-src"] if n.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    inline = INLINE_SCRIPT.findall(html)
    assert inline == [f' nonce="{nonce}"']
    assert "jildi-theme" in html  # it is the theme script


def test_every_response_gets_a_fresh_nonce(client: Client) -> None:
    first = directives(client.get("/"))["script-src"]
    second = directives(client.get("/"))["script-src"]
    assert first != second


def test_signed_in_pages_have_the_policy_too(owner_client: Client) -> None:
    response = owner_client.get(reverse("diagnosis:camera"))
    assert response.status_code == 200
    policy = directives(response)
    assert "blob:" in policy["media-src"]  # the live camera preview
    assert "'self'" in policy["connect-src"]  # the capture is posted with fetch()


def test_the_api_docs_get_a_looser_policy_of_their_own(client: Client) -> None:
    policy = directives(client.get("/api/docs/"))
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Everywhere else stays strict.
    assert "'unsafe-inline'" not in directives(client.get("/"))["script-src"]


@pytest.mark.parametrize("url", ["/", "/api/v1/diseases/", "/accounts/login/"])
def test_permissions_policy_allows_the_camera_on_our_origin_only(client: Client, url: str) -> None:
    policy = client.get(url)["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    assert features["camera"] == "(self)"
    for feature in ("microphone", "geolocation", "payment", "usb", "display-capture"):
        assert features[feature] == "()"


def test_personal_api_answers_are_not_cached(owner: Any) -> None:
    from portal.testing import token_client

    response = token_client(owner).get("/api/v1/me/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
