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
    page.wait_for_url(
        lambda url: url in (f"{live_server.url}/", f"{live_server.url}/accounts/2fa/authenticate/")
    )
    if page.url.endswith("/2fa/authenticate/"):
        enter_totp_code(page, live_server, user)
        page.wait_for_url(f"{live_server.url}/")


def enter_totp_code(page: Any, live_server: Any, user: Any) -> None:
    """Second step of signing in a clinician or staff account (two-factor sign-in): the code
    an authenticator app would show. A code works once; if this window's code was already
    used in this test, wait for the next one."""
    from accounts.testing import enrol_totp, totp_code

    secret = enrol_totp(user)
    for _attempt in range(2):
        page.fill("#id_code", totp_code(secret))
        page.get_by_test_id("mfa-submit").click()
        page.wait_for_load_state()
        if not page.url.endswith("/2fa/authenticate/"):
            return
        time.sleep(30 - time.time() % 30 + 0.5)
    raise AssertionError("the TOTP code was refused twice")
