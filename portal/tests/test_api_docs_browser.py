"""The API docs render in a real browser from self-hosted assets only (no CDN request)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "ready_selector"),
    [("/api/docs/", ".opblock-tag"), ("/api/redoc/", ".menu-content")],
)
def test_docs_render_without_leaving_the_site(
    live_server: Any, browser_page: Any, path: str, ready_selector: str
) -> None:
    own_host = urlsplit(live_server.url).netloc
    requested: list[str] = []
    failures: dict[str, str | None] = {}
    browser_page.on("request", lambda request: requested.append(request.url))
    browser_page.on("requestfailed", lambda request: failures.__setitem__(request.url, request.failure))
    # Generous timeouts: the bundles are ~1 MB each and CI machines can be busy.
    browser_page.goto(f"{live_server.url}{path}", wait_until="domcontentloaded", timeout=60_000)
    browser_page.wait_for_selector(ready_selector, timeout=60_000)
    browser_page.wait_for_timeout(500)
    assert "diagnoses" in browser_page.content()
    assert any("/api/schema/" in url for url in requested)
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
    foreign = [
        u for u in requested if urlsplit(u).scheme in {"http", "https"} and urlsplit(u).netloc != own_host
    ]
    # Anything foreign must have been refused by the page's own Content-Security-Policy
    # (Redoc's bundle hard-codes a CDN logo), not merely failed for lack of internet.
    assert {url: failures.get(url) for url in foreign} == dict.fromkeys(foreign, "csp")
