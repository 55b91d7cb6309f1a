"""The installable web app in Chromium: the manifest is linked and valid, the service worker
registers at the root scope, an offline navigation shows the offline page, and after a patient
has opened their checks, a photo and the API, the cache holds only the precached files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.support import login
from portal.pwa import NEVER_CACHED, precache_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED_PATHS_JS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
}"""


def _wait_for_service_worker(page: Any) -> str:
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return scope


def test_manifest_service_worker_and_offline_page(live_server: Any, browser_page: Any) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.evaluate("url => fetch(url).then(r => r.json())", href)
    assert manifest["name"] == "Jildi" and manifest["lang"] == "en" and manifest["dir"] == "ltr"
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        fetched = page.evaluate("u => fetch(u).then(r => r.ok && r.headers.get('content-type'))", icon["src"])
        assert fetched == "image/png", icon

    assert _wait_for_service_worker(page) == f"{live_server.url}/"

    page.context.set_offline(True)
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        page.goto(f"{live_server.url}/diagnosis/")
        offline = page.get_by_test_id("offline-page")
        assert offline.is_visible()
        assert "You are offline" in offline.inner_text()
        assert "لا يوجد اتصال بالإنترنت" in page.get_by_test_id("offline-ar").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # Its stylesheet came from the cache too.
        assert page.evaluate("getComputedStyle(document.querySelector('.btn-primary')).display") != "inline"
    finally:
        page.context.set_offline(False)


def test_the_cache_never_holds_checks_photos_or_api_answers(
    live_server: Any, browser_page: Any, owner: Any, password: str, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    diagnosis = DiagnosisFactory(owner=owner)
    page = browser_page
    login(page, live_server, owner, password)
    _wait_for_service_worker(page)
    for path in (
        "/diagnosis/",
        f"/diagnosis/{diagnosis.pk}/",
        f"/diagnosis/{diagnosis.pk}/image.jpg",
        f"/diagnosis/{diagnosis.pk}/heatmap.png",
        "/accounts/profile/",
    ):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
    page.goto(f"{live_server.url}/diagnosis/{diagnosis.pk}/")
    statuses = page.evaluate(
        "urls => Promise.all(urls.map(u => fetch(u, {credentials: 'same-origin'}).then(r => r.status)))",
        ["/api/v1/me/", f"/api/v1/diagnoses/{diagnosis.pk}/", f"/api/v1/diagnoses/{diagnosis.pk}/image/"],
    )
    assert statuses == [200, 200, 200]

    cached = page.evaluate(CACHED_PATHS_JS)
    assert sorted(cached) == sorted(precache_urls())
    assert not [path for path in cached if path.startswith(NEVER_CACHED)]
    assert owner.email not in page.evaluate("() => caches.match('/offline/').then(r => r.text())")
