"""End to end in Chromium (Playwright) with a real Celery worker and the committed model.

Run: .venv/bin/pytest -m browser diagnosis/tests/test_browser.py
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from diagnosis.models import Diagnosis
from diagnosis.tests.support import fake_camera_browser, login, wait_final, write_y4m

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shipped_model"),
]


@pytest.fixture
def document_photo(tmp_path: Path) -> Path:
    """A photo of a printed page: clearly not skin."""
    img = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(img)
    for y in range(20, 600, 36):
        draw.text((30, y), "Invoice 2026 - total due 1234.00 SAR - thank you for your business", fill="black")
    path = tmp_path / "document.jpg"
    img.save(path, "JPEG", quality=90)
    return path


def upload(page: Any, live_server: Any, path: Path) -> None:
    page.goto(f"{live_server.url}{reverse('diagnosis:upload')}")
    page.set_input_files("[data-testid=image-input]", str(path))
    page.select_option("#id_body_site", "back")
    page.click("[data-testid=upload-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")


def test_upload_updates_itself_to_the_result_with_heat_map_and_risk(
    live_server: Any, browser_page: Any, owner: Any, password: str, lesion_file: Path, celery_worker_proc: Any
) -> None:
    from django.core.management import call_command

    call_command("seed_diseases", stdout=io.StringIO())
    page = browser_page
    login(page, live_server, owner, password)
    upload(page, live_server, lesion_file)
    page.evaluate("window.__sameDocument = true")
    assert wait_final(page) == "done", celery_worker_proc.log()
    assert page.evaluate("window.__sameDocument === true"), "the page must update itself, not reload"

    assert page.locator("[data-testid=risk-tier]").is_visible()
    heat = page.locator("[data-testid=heatmap]")
    heat.wait_for(state="visible")
    # Drawn in the browser from the grid: a canvas with coloured, partly opaque pixels.
    page.wait_for_function("() => document.querySelector('[data-testid=heatmap]').dataset.drawn === '1'")
    assert (
        heat.evaluate(
            "el => { const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"
        )
        > 100
    )
    assert page.locator("[data-testid=top3] li").count() == 3
    assert page.locator("[data-testid=model-version]").inner_text().strip()
    assert "not a diagnosis" in page.locator("[data-testid=honest-notes]").inner_text()
    # Overlay controls: off hides the heat map, the slider sets its opacity.
    page.uncheck("[data-testid=heatmap-toggle]")
    assert heat.evaluate("el => el.style.opacity") == "0"
    page.check("[data-testid=heatmap-toggle]")
    page.fill("[data-testid=heatmap-opacity]", "30")
    assert heat.evaluate("el => el.style.opacity") == "0.3"

    diagnosis = Diagnosis.objects.get()
    link = page.locator("[data-testid=disease-link]")
    assert link.get_attribute("href") == reverse(
        "diseases:detail", kwargs={"slug": diagnosis.predicted_class}
    )
    link.click()
    page.wait_for_url(f"**/diseases/{diagnosis.predicted_class}/")
    assert page.locator("h1").first.is_visible()

    page.goto(f"{live_server.url}{reverse('diagnosis:history')}")
    assert page.locator("[data-testid=history-item]").count() == 1


def test_non_skin_photo_is_rejected_with_retake_advice(
    live_server: Any,
    browser_page: Any,
    owner: Any,
    password: str,
    document_photo: Path,
    celery_worker_proc: Any,
) -> None:
    page = browser_page
    login(page, live_server, owner, password)
    upload(page, live_server, document_photo)
    assert wait_final(page) == "rejected", celery_worker_proc.log()
    assert page.locator("[data-testid=rejected-message]").is_visible()
    assert page.locator("[data-testid=photo-tips]").is_visible()
    assert page.locator("[data-testid=retake-actions] a").count() == 2
    assert page.locator("[data-testid=top3]").count() == 0
    assert page.locator("[data-testid=risk-tier]").count() == 0


@pytest.fixture
def camera_page(chromium_browser: Any) -> Iterator[Any]:
    """The fake device's built-in test pattern (not skin)."""
    with fake_camera_browser(chromium_browser, []) as page:
        yield page


@pytest.fixture
def lesion_camera_page(chromium_browser: Any, lesion_file: Path, tmp_path: Path) -> Iterator[Any]:
    """The fake camera films a dermoscopic lesion image."""
    video = write_y4m(lesion_file, tmp_path / "lesion.y4m")
    with fake_camera_browser(chromium_browser, [f"--use-file-for-fake-video-capture={video}"]) as page:
        yield page


def wait_captured(page: Any) -> None:
    """A photo was taken and can be sent (it is then shown for framing, or as a plain still)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=camera-submit]').disabled")


def capture_and_send(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}{reverse('diagnosis:camera')}")
    page.wait_for_function("() => !document.querySelector('[data-testid=camera-capture]').disabled")
    page.click("[data-testid=camera-capture]")
    wait_captured(page)
    page.click("[data-testid=camera-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")


def test_camera_filming_a_lesion_reaches_a_full_result(
    live_server: Any, lesion_camera_page: Any, owner: Any, password: str, celery_worker_proc: Any
) -> None:
    page = lesion_camera_page
    login(page, live_server, owner, password)
    capture_and_send(page, live_server)
    assert wait_final(page) == "done", celery_worker_proc.log()
    page.locator("[data-testid=heatmap]").wait_for(state="visible")
    assert page.locator("[data-testid=risk-tier]").is_visible()
    # The stored photo is what was framed (the default centred square), or the whole 640 px
    # camera frame if it was sent before the frame was ready.
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.image_width == (diagnosis.crop_box[2] if diagnosis.crop_box else 640)


def test_camera_capture_with_fake_device_reaches_a_result(
    live_server: Any, camera_page: Any, owner: Any, password: str, celery_worker_proc: Any
) -> None:
    page = camera_page
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}{reverse('diagnosis:camera')}")
    assert page.locator("[data-testid=camera-guidance]").is_visible()
    capture = page.locator("[data-testid=camera-capture]")
    page.wait_for_function("() => !document.querySelector('[data-testid=camera-capture]').disabled")
    capture.click()
    wait_captured(page)
    # Retake goes back to the live preview, then capture again.
    page.click("[data-testid=camera-retake]")
    page.wait_for_function("() => !document.querySelector('[data-testid=camera-capture]').disabled")
    capture.click()
    wait_captured(page)
    page.click("[data-testid=camera-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    # The fake camera shows a synthetic test pattern, not skin: rejected is the honest answer.
    status = wait_final(page)
    assert status in {"rejected", "done"}, celery_worker_proc.log()
    if status == "rejected":
        assert page.locator("[data-testid=retake-actions]").is_visible()
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.owner == owner and diagnosis.image_width > 0


def test_camera_without_permission_falls_back_to_file_input(
    live_server: Any, browser_page: Any, owner: Any, password: str
) -> None:
    page = browser_page  # no fake device and no auto-accept: getUserMedia fails
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}{reverse('diagnosis:camera')}")
    page.locator("[data-testid=camera-fallback]").wait_for(state="visible")
    assert page.locator("[data-testid=camera-error]").is_visible()
    assert page.locator("#camera-file").get_attribute("accept") == "image/*"


def test_arabic_flow_renders_right_to_left(
    live_server: Any, browser_page: Any, owner: Any, password: str, lesion_file: Path, celery_worker_proc: Any
) -> None:
    owner.preferred_language = "ar"
    owner.save(update_fields=["preferred_language"])
    page = browser_page
    login(page, live_server, owner, password)
    upload(page, live_server, lesion_file)
    assert wait_final(page) == "done", celery_worker_proc.log()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").first.inner_text() == "نتيجتك"
    assert "ليست تشخيصًا" in page.locator("[data-testid=honest-notes]").inner_text()
    heading = page.locator("[data-testid=risk-tier] h2").inner_text()
    assert heading.split(":")[0] in {"عاجل", "روتيني", "للمتابعة"}
    # RTL layout: the result columns flow from the right.
    photo_box = page.locator("[data-testid=overlay-figure]").bounding_box()
    risk_box = page.locator("[data-testid=risk-tier]").bounding_box()
    assert photo_box["x"] > risk_box["x"]
