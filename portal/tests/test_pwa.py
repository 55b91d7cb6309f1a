"""Installable web app: manifest fields and icons, the service worker's headers and what it may
cache, the offline page (both languages, nobody's data)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from portal.pwa import NEVER_CACHED, precache_urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "name", "direction"), [("en", "Jildi", "ltr"), ("ar", "جلدي", "rtl")])
def test_manifest_has_the_fields_a_phone_needs(
    client: Client, language: str, name: str, direction: str
) -> None:
    response = client.get(f"/manifest.webmanifest?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert (data["name"], data["short_name"], data["lang"], data["dir"]) == (name, name, language, direction)
    assert data["start_url"].startswith("/") and data["scope"] == "/" and data["display"] == "standalone"
    assert data["theme_color"] and data["background_color"]
    assert "/diagnosis/camera/" in [shortcut["url"] for shortcut in data["shortcuts"]]
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    wanted = {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    assert wanted <= purposes


def test_every_manifest_icon_is_a_png_of_its_stated_size(client: Client) -> None:
    data = json.loads(client.get("/manifest.webmanifest").content)
    icons = data["icons"] + [icon for shortcut in data["shortcuts"] for icon in shortcut["icons"]]
    for icon in icons:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
        if icon.get("purpose") == "maskable":  # full bleed: no transparent corners
            with Image.open(path) as image:
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255


def test_an_unknown_manifest_language_falls_back(client: Client) -> None:
    data = json.loads(client.get("/manifest.webmanifest?lang=xx").content)
    assert data["lang"] == "en"


def test_pages_link_the_manifest_and_register_the_service_worker(client: Client) -> None:
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=ar">' in body
    assert 'data-sw-url="/sw.js"' in body


def test_service_worker_is_served_at_the_root_scope_as_javascript(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    body = response.content.decode()
    assert "cache.put" not in body  # nothing is stored at run time
    assert json.dumps(precache_urls()) in body


def test_service_worker_precaches_no_health_data_or_signed_in_pages() -> None:
    urls = precache_urls()
    assert "/offline/" in urls
    for url in urls:
        assert not url.startswith(NEVER_CACHED), url
    assert {"/diagnosis/", "/api/", "/media", "/accounts/", "/clinician/", "/admin/"} <= set(NEVER_CACHED)


def test_offline_page_speaks_both_languages(client: Client) -> None:
    response = client.get("/offline/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="ar" dir="rtl"' in body and "لا يوجد اتصال بالإنترنت" in body
    assert 'data-testid="offline-en"' in body and "You are offline" in body


def test_offline_page_never_shows_who_is_signed_in(owner_client: Client, owner: Any) -> None:
    body = owner_client.get("/offline/").content.decode()
    assert owner.email not in body and owner.full_name not in body
