"""End to end in Chromium: real SMTP, real codes, Arabic RTL, dark theme, password reset."""

from __future__ import annotations

import re

import pytest

from portal.testing import message_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_RE = re.compile(r"\b([B-Z]{4}-[B-Z]{4})\b")  # allauth's default code, e.g. "BCDF-GHJK"


def code_from(message) -> str:
    match = CODE_RE.search(message_text(message))
    assert match, message_text(message)
    return match.group(1)


def test_signup_verify_arabic_dark_logout_reset_and_login(live_server, browser_page, smtp_catchall):
    page = browser_page
    email = "layla@example.com"
    first_password = "Amber-Falcon-Harbour-12"
    new_password = "Cedar-Lantern-Ribbon-58"

    # Sign up; the verification code arrives over real SMTP.
    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.fill("#id_full_name", "Layla Haddad")
    page.fill("#id_email", email)
    page.fill("#id_password1", first_password)
    page.fill("#id_password2", first_password)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = smtp_catchall.wait_for(to=email)
    assert "[Jildi]" in message["Subject"]

    # Enter the code: signed in and on the dashboard.
    page.fill("#id_code", code_from(message))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Welcome, Layla").is_visible()

    # Switch to Arabic: right-to-left, translated.
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    assert page.get_by_role("heading", name="مرحبًا، Layla").is_visible()
    assert page.get_by_test_id("disclaimer").inner_text().startswith("يقدّم جلدي")

    # Dark theme survives a reload (and is saved to the profile).
    page.get_by_test_id("theme-menu").click()
    with page.expect_response("**/accounts/preferences/theme/") as saved:
        page.get_by_test_id("theme-dark").click()
    assert saved.value.ok
    assert html.get_attribute("data-bs-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"

    # Log out.
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="تسجيل الدخول").first.is_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"

    # Reset the password by code (still in Arabic).
    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.fill("#id_email", email)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/accounts/password/reset/confirm/")
    messages = smtp_catchall.wait_for(to=email, count=2)
    page.fill("#id_code", code_from(messages[-1]))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/accounts/password/reset/complete/")
    page.fill("#id_password1", new_password)
    page.fill("#id_password2", new_password)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/accounts/password/reset/done/")

    # Log in with the new password: Arabic (saved preference) and dark.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", new_password)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="مرحبًا، Layla").is_visible()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"


def test_lockout_message_in_the_browser_in_arabic(live_server, browser_page, owner, settings):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("#id_login", owner.email)
        page.fill("#id_password", "not-the-password")
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state()
    lockout = page.get_by_test_id("lockout")
    assert lockout.is_visible()
    assert "أُوقف تسجيل الدخول" in lockout.inner_text()
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_wrong_code_error_in_the_browser(live_server, browser_page, smtp_catchall):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", "wrong@example.com")
    page.fill("#id_password1", "Amber-Falcon-Harbour-12")
    page.fill("#id_password2", "Amber-Falcon-Harbour-12")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = smtp_catchall.wait_for(to="wrong@example.com")
    assert code_from(message)
    page.fill("#id_code", "AAAA-AAAA")  # "A" is not in the code alphabet: never right
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.get_by_text("Incorrect code.").is_visible()
