"""Layout checks in Chromium: phones (360 px) in both directions, theme before paint."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_pages_fit_a_360px_phone_without_sideways_scrolling(live_server, chromium_browser, language, path):
    context = chromium_browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.get_by_test_id("switch-language").is_visible()
        assert page.get_by_test_id("theme-menu").is_visible()
    finally:
        context.close()


def test_saved_dark_theme_applies_before_first_paint(live_server, browser_page):
    page = browser_page
    page.goto(live_server.url + "/")
    page.evaluate("localStorage.setItem('jildi-theme', 'dark')")
    # Record the theme the moment the DOM is parsed, before stylesheets or scripts at the end run.
    page.add_init_script(
        "document.addEventListener('readystatechange', () => {"
        " if (!window.__firstTheme) window.__firstTheme = document.documentElement.dataset.bsTheme; });"
    )
    page.reload()
    assert page.evaluate("window.__firstTheme") == "dark"


def test_system_dark_preference_is_the_default(live_server, chromium_browser):
    context = chromium_browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    finally:
        context.close()
