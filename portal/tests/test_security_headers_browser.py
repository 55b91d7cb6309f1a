"""Under the real Content-Security-Policy, the pages run without a single violation."""

from __future__ import annotations

from typing import Any

import pytest

from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported to the page by the browser for every blocked script, style, image, frame...
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_pages_run_without_csp_violations(
    live_server: Any, browser_page: Any, owner: Any, password: str
) -> None:
    page = browser_page
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    login(page, live_server, owner, password)
    diagnosis = DiagnosisFactory(owner=owner)
    paths = [
        "/",
        "/diagnosis/new/",
        "/diagnosis/camera/",
        "/diagnosis/",
        diagnosis.get_absolute_url(),
        "/diseases/",
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__cspViolations") == [], path
        # The inline theme script ran (it sets the preference attribute).
        assert page.locator("html").get_attribute("data-theme-pref") in {"light", "dark", "auto"}, path
    assert console == []
