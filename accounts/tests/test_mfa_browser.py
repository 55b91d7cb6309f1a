"""Two-factor sign-in in Chromium: a clinician cannot open the review queue before setting up
an authenticator app; sets it up with a code computed here (RFC 6238, as the app would), signs
in again with a code, then with a recovery code. The pages fit a 360 px phone in Arabic."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import recovery_codes, totp_code
from portal.testing import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page: Any, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").first.click()


def test_clinician_enrols_totp_before_the_queue_then_signs_in_with_codes(live_server, browser_page) -> None:
    page = browser_page
    clinician = make_user("new-clinician@example.com", full_name="Dr New", is_clinician=True)

    _password_step(page, live_server, clinician.email)
    page.wait_for_url(f"{live_server.url}/")
    # The queue is closed: sent to set up two-factor sign-in (confirming the password first).
    page.goto(f"{live_server.url}/clinician/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "must use two-factor sign-in" in page.locator("[role=alert]").first.inner_text()
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_test_id("mfa-required-note").is_visible()
    qr = page.get_by_test_id("totp-qr")
    assert qr.evaluate("img => img.naturalWidth") > 0

    # A wrong code is refused, the right one turns it on and shows the recovery codes.
    page.fill(
        "#id_code",
        "000000" if totp_code(page.get_by_test_id("totp-secret").input_value()) != "000000" else "111111",
    )
    page.get_by_test_id("totp-activate").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    secret = page.get_by_test_id("totp-secret").input_value()
    page.fill("#id_code", totp_code(secret))
    page.get_by_test_id("totp-activate").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    shown = page.get_by_test_id("recovery-codes").inner_text().split()
    assert len(shown) == 10 and shown == recovery_codes(clinician)
    page.get_by_test_id("continue-to-queue").click()
    page.wait_for_url(f"{live_server.url}/clinician/")
    assert page.get_by_role("heading", name="Review queue").is_visible()

    # Next sign-in: password, then the app's code.
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    _password_step(page, live_server, clinician.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("#id_code", totp_code(secret))
    page.get_by_test_id("mfa-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clinician/")
    assert page.get_by_role("heading", name="Review queue").is_visible()

    # Phone lost: a recovery code signs in once.
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    _password_step(page, live_server, clinician.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("#id_code", shown[0])
    page.get_by_test_id("mfa-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clinician/")
    assert page.get_by_role("heading", name="Review queue").is_visible()
    assert shown[0] not in recovery_codes(clinician)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_mfa_pages_fit_a_360px_phone_in_arabic(live_server, chromium_browser, scheme: str) -> None:
    owner = make_user("phone-owner@example.com", full_name="Layla", preferred_language="ar")
    context = chromium_browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page = context.new_page()
    try:
        _password_step(page, live_server, owner.email)
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/accounts/profile/")
        page.get_by_test_id("profile-mfa-link").click()
        page.wait_for_url("**/accounts/2fa/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("data-bs-theme") == scheme
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_test_id("mfa-activate").click()
        page.wait_for_url("**/accounts/reauthenticate/**")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").first.click()
        page.wait_for_url("**/accounts/2fa/totp/activate/")
        heading = page.locator("h1").inner_text()
        assert any("\u0600" <= ch <= "\u06ff" for ch in heading), heading
        assert page.get_by_test_id("totp-secret").evaluate("el => getComputedStyle(el).direction") == "ltr"
        assert page.locator("#id_code").evaluate("el => getComputedStyle(el).direction") == "ltr"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        secret = page.get_by_test_id("totp-secret").input_value()
        page.fill("#id_code", totp_code(secret))
        page.get_by_test_id("totp-activate").click()
        page.wait_for_url("**/accounts/2fa/recovery-codes/")
        assert page.get_by_test_id("recovery-codes").evaluate("el => getComputedStyle(el).direction") == "ltr"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
