"""Helpers shared by the integration, fault-drill and browser tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(
    predicate: Callable[[], Any], timeout: float, what: str, log: Callable[[], str] | None = None
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with the log's tail if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    detail = f"\n--- log ---\n{log()[-4000:]}" if log else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}{detail}")


def login(page: Any, live_server: Any, user: Any, password: str) -> None:
    """Sign in through the real login form in a Playwright page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
