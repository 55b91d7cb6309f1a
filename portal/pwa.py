"""Installable web app: the manifest, the service worker (served at the root scope) and the
offline page.

The service worker caches only ``precache_urls()``: the offline page and the few static files it
needs. It never stores a response at run time, so no health data, signed-in page, API answer or
photo is ever written to the phone's cache (templates/pwa/sw.js also refuses such paths).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOR = "#0f766e"
BACKGROUND_COLOR = "#ffffff"
# Paths the service worker must never cache (also enforced in sw.js itself).
NEVER_CACHED = ("/diagnosis/", "/api/", "/media", "/clinician/", "/accounts/", "/admin/")
PRECACHED_STATIC = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.rtl.min.css",
    "css/jildi.css",
    "img/logo.svg",
    "img/favicon.svg",
)
ANY_ICON_SIZES = (48, 72, 96, 144, 192, 512)
MASKABLE_ICON_SIZES = (192, 512)


def _language(request: HttpRequest) -> str:
    requested = request.GET.get("lang", "")
    supported = {code for code, _name in settings.LANGUAGES}
    return requested if requested in supported else translation.get_language() or settings.LANGUAGE_CODE


def _icon(name: str, size: int, purpose: str) -> dict[str, str]:
    src = static(f"img/icons/{name}")
    return {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}


def manifest_data(language: str) -> dict[str, object]:
    with translation.override(language):
        icons = [_icon(f"icon-{size}.png", size, "any") for size in ANY_ICON_SIZES]
        icons += [_icon(f"maskable-{size}.png", size, "maskable") for size in MASKABLE_ICON_SIZES]
        shortcut_icon = [{"src": static("img/icons/icon-96.png"), "sizes": "96x96", "type": "image/png"}]
        return {
            "id": "/",
            "name": _("Jildi"),
            "short_name": _("Jildi"),
            "description": _("Skin spot screening support in Arabic and English. Not a diagnosis."),
            "lang": language,
            "dir": "rtl" if get_language_bidi() else "ltr",
            "start_url": "/?source=homescreen",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "categories": ["health", "medical"],
            "icons": icons,
            "shortcuts": [
                {
                    "name": _("Take a photo"),
                    "short_name": _("Take a photo"),
                    "url": reverse("diagnosis:camera"),
                    "icons": shortcut_icon,
                },
                {
                    "name": _("Check a photo"),
                    "short_name": _("Check a photo"),
                    "url": reverse("diagnosis:upload"),
                    "icons": shortcut_icon,
                },
            ],
        }


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(manifest_data(_language(request)), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def precache_urls() -> list[str]:
    urls = [reverse("offline"), *(static(path) for path in PRECACHED_STATIC)]
    urls.append(static("img/icons/icon-192.png"))
    return [url for url in urls if not url.startswith(NEVER_CACHED)]


@lru_cache(maxsize=1)
def _version() -> str:
    """Changes whenever a precached file (or its hashed name) changes, so phones update."""
    digest = hashlib.sha256(json.dumps(precache_urls()).encode())
    for path in PRECACHED_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": _version(),
        "offline_url": reverse("offline"),
        "precache_json": json.dumps(precache_urls()),
        "never_json": json.dumps(list(NEVER_CACHED)),
    }
    response = render(request, "pwa/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@cache_control(no_cache=True)
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be loaded. The same for everyone (no
    name, no data): the service worker fetches it without cookies."""
    other = "en" if translation.get_language() == "ar" else "ar"
    return render(request, "pwa/offline.html", {"other_language": other})
