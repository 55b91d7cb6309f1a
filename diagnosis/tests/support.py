"""Helpers shared by the integration, fault-drill and browser tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


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


RESULT_TIMEOUT_MS = 45_000
FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def wait_final(page: Any) -> str:
    page.wait_for_selector(
        "[data-testid=diagnosis-result][data-status=done], "
        "[data-testid=diagnosis-result][data-status=rejected], "
        "[data-testid=diagnosis-result][data-status=failed]",
        timeout=RESULT_TIMEOUT_MS,
    )
    return page.get_attribute("[data-testid=diagnosis-result]", "data-status")


@contextmanager
def fake_camera_browser(
    chromium_browser: Any,
    extra_args: list[str],
    timeout_ms: int = 20_000,
    init_script: str = "",
    **context_options: Any,
) -> Iterator[Any]:
    """Chromium with a fake camera and auto-accepted camera permission (desktop-sized unless
    ``context_options`` say otherwise, e.g. a phone viewport and locale)."""
    browser = chromium_browser.browser_type.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            *FAKE_CAMERA_ARGS,
            *extra_args,
        ],
    )
    options = {"viewport": {"width": 900, "height": 1000}, "locale": "en-GB", **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(timeout_ms)
    context.set_default_navigation_timeout(max(timeout_ms, 60_000))
    if init_script:
        context.add_init_script(init_script)
    try:
        yield context.new_page()
    finally:
        context.close()
        browser.close()


def write_y4m(image_path: Path, out: Path, frames: int = 30) -> Path:
    """A Y4M (4:2:0) video of one still image, for --use-file-for-fake-video-capture."""
    img = Image.open(image_path).convert("RGB").resize((640, 480))
    ycbcr = np.asarray(img.convert("YCbCr"))
    y = ycbcr[:, :, 0].tobytes()
    chroma = [np.asarray(Image.fromarray(ycbcr[:, :, i]).resize((320, 240))).tobytes() for i in (1, 2)]
    with out.open("wb") as fh:
        fh.write(b"YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            fh.write(b"FRAME\n" + y + chroma[0] + chroma[1])
    return out
