"""Checking a spot the way a patient does it, on a 360 px phone (Chromium + fake camera + real
worker): capture -> frame -> answers -> a result that states its reliability, in English and in
Arabic (RTL); and the upload page sending a frame in displayed-photo pixels (EXIF applied).

Run one at a time: .venv/bin/pytest -m browser diagnosis/tests/test_framing_browser.py -k <name>
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from diagnosis.models import Diagnosis
from diagnosis.tests.fakes import PHONE_RELIABILITY, analysed
from diagnosis.tests.support import fake_camera_browser, login, wait_final, write_y4m
from diagnosis.tests.test_framing import GREEN, RED, close_to, jpeg_bytes, quadrants

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
# Every blocked script, style or image is reported by the browser (the CSP must stay clean).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def domain_model(shipped_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped model plus a domain head ("phone", p = 0.92), an answers input (zero weights:
    the answers are used but change nothing) and fixed reliability metadata, so the trust
    sentences are known in advance."""
    from ml.answers import ENCODED_SIZE

    model_dir = tmp_path / "model-with-domain"
    model_dir.mkdir()
    meta = json.loads((shipped_model / "metadata.json").read_text())
    for name in meta["files"].values():
        if name != meta["files"]["head"]:
            (model_dir / name).symlink_to(shipped_model / name)
    head = dict(np.load(shipped_model / meta["files"]["head"]))
    features = head["weight"].shape[1]
    head["domain_weight"] = np.zeros(features, dtype=np.float32)
    head["domain_bias"] = np.float32(2.5)
    head["answer_weight"] = np.zeros((head["weight"].shape[0], ENCODED_SIZE), dtype=np.float32)
    np.savez(model_dir / meta["files"]["head"], **head)
    meta["sha256"][meta["files"]["head"]] = hashlib.sha256(
        (model_dir / meta["files"]["head"]).read_bytes()
    ).hexdigest()
    meta["reliability"] = {"phone": PHONE_RELIABILITY}
    (model_dir / "metadata.json").write_text(json.dumps(meta))
    monkeypatch.setenv("JILDI_MODEL_DIR", str(model_dir))  # read by the worker subprocess
    return model_dir


@pytest.fixture
def worker(domain_model: Path, celery_worker_proc: Any) -> Any:
    """A real Celery worker serving ``domain_model`` (started after the env is set)."""
    return celery_worker_proc


def phone_browser(chromium_browser: Any, extra_args: list[str], locale: str) -> Any:
    """A 360 px touch phone with the fake camera, recording CSP violations."""
    return fake_camera_browser(
        chromium_browser,
        extra_args,
        timeout_ms=30_000,
        init_script=RECORD_CSP_VIOLATIONS,
        viewport=PHONE,
        locale=locale,
        has_touch=True,
    )


@pytest.fixture
def lesion_phone(chromium_browser: Any, lesion_file: Path, tmp_path: Path) -> Iterator[Any]:
    video = write_y4m(lesion_file, tmp_path / "lesion.y4m")
    with phone_browser(chromium_browser, [f"--use-file-for-fake-video-capture={video}"], "en-GB") as page:
        yield page


def crop_values(page: Any) -> dict[str, int | None]:
    return page.evaluate(
        """() => Object.fromEntries(["crop_x", "crop_y", "crop_width", "crop_height"].map(
            n => [n, document.querySelector(`input[name=${n}]`).value === "" ? null
                     : Number(document.querySelector(`input[name=${n}]`).value)]))"""
    )


def wait_framed(page: Any) -> dict[str, int | None]:
    page.locator("[data-testid=framing] .cropper-container").wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('input[name=crop_width]').value !== ''")
    return crop_values(page)


def drag_frame(page: Any, dx: float, dy: float) -> None:
    face = page.locator("[data-testid=framing] .cropper-face").bounding_box()
    x, y = face["x"] + face["width"] / 2, face["y"] + face["height"] / 2
    # Pointer events are only delivered inside the viewport: stop at its edge.
    to_x = min(max(x + dx, 1), PHONE["width"] - 1)
    to_y = min(max(y + dy, 1), PHONE["height"] - 1)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(to_x, to_y, steps=10)
    page.mouse.up()


def assert_fits_the_phone(page: Any) -> None:
    """No sideways scrolling on the phone, and nothing blocked by the Content-Security-Policy."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    assert page.evaluate("window.__cspViolations") == []


def capture_frame_answer_and_send(page: Any, live_server: Any) -> dict[str, int | None]:
    page.goto(f"{live_server.url}{reverse('diagnosis:camera')}")
    # Functions, not expressions: Playwright evaluates expressions with eval(), which the CSP blocks.
    page.wait_for_function("() => !document.querySelector('[data-testid=camera-capture]').disabled")
    page.click("[data-testid=camera-capture]")
    first = wait_framed(page)
    # Default: a centred square. Camera frames are 640x480 (the fake device's video).
    assert first["crop_width"] == first["crop_height"]
    assert abs(first["crop_x"] + first["crop_width"] / 2 - 320) <= 2
    assert abs(first["crop_y"] + first["crop_height"] / 2 - 240) <= 2
    assert_fits_the_phone(page)
    # Zooming in frames fewer photo pixels; "centre again" restores the default.
    page.click("[data-testid=frame-zoom-in]")
    assert crop_values(page)["crop_width"] < first["crop_width"]
    page.click("[data-testid=frame-reset]")
    page.wait_for_function(
        f"() => document.querySelector('input[name=crop_width]').value === '{first['crop_width']}'"
    )
    # Drag the frame a little towards the start of the line (left), as a patient would.
    drag_frame(page, -30, 0)
    framed = crop_values(page)
    assert framed["crop_x"] < first["crop_x"] and framed["crop_width"] == first["crop_width"]
    # Optional answers: two of the six, and how long it has been there.
    page.select_option("#id_duration", "months")
    page.click("label[for=id_grew_0]")  # yes
    page.click("label[for=id_bleeds_1]")  # no
    assert_fits_the_phone(page)
    page.click("[data-testid=camera-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    return framed


def assert_stored_as_framed(framed: dict[str, int | None]) -> Diagnosis:
    diagnosis = Diagnosis.objects.get()
    box = [framed["crop_x"], framed["crop_y"], framed["crop_width"], framed["crop_height"]]
    assert diagnosis.crop_box == box
    assert (diagnosis.image_width, diagnosis.image_height) == (box[2], box[3])
    assert diagnosis.answers["grew"] is True and diagnosis.answers["bleeds"] is False
    assert diagnosis.answers["duration"] == "months" and "itches" not in diagnosis.answers
    return diagnosis


@pytest.mark.integration
def test_capture_frame_answer_and_read_how_far_to_trust_the_result_on_a_phone(
    live_server: Any, lesion_phone: Any, owner: Any, password: str, worker: Any
) -> None:
    page = lesion_phone
    login(page, live_server, owner, password)
    framed = capture_frame_answer_and_send(page, live_server)
    assert wait_final(page) == "done", worker.log()
    diagnosis = assert_stored_as_framed(framed)
    diagnosis.refresh_from_db()
    assert diagnosis.domain == "phone" and "grew" in diagnosis.answers_used
    trust = page.locator("[data-testid=trust]")
    assert trust.get_attribute("data-domain") == "phone"
    assert "ordinary phone photo (92% sure)" in trust.inner_text()
    assert "Tested on 170 phone photos" in page.locator("[data-testid=trust-reliability]").inner_text()
    assert "Your answers were used" in page.locator("[data-testid=trust-answers]").inner_text()
    assert page.locator("[data-testid=top3] li").count() == 3
    assert_fits_the_phone(page)


@pytest.mark.integration
def test_the_same_flow_in_arabic_right_to_left(
    live_server: Any, lesion_phone: Any, owner: Any, password: str, worker: Any
) -> None:
    owner.preferred_language = "ar"
    owner.save(update_fields=["preferred_language"])
    page = lesion_phone
    login(page, live_server, owner, password)
    framed = capture_frame_answer_and_send(page, live_server)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert wait_final(page) == "done", worker.log()
    assert_stored_as_framed(framed)
    assert "عند اختباره على 170 صورة هاتف" in page.locator("[data-testid=trust-reliability]").inner_text()
    assert "صورة هاتف عادية" in page.locator("[data-testid=trust-domain]").inner_text()
    assert_fits_the_phone(page)


def test_upload_page_frames_in_pixels_of_the_photo_as_displayed(
    live_server: Any,
    chromium_browser: Any,
    owner: Any,
    password: str,
    enqueued: Any,
    tmp_path: Path,
    fake_predictor: Any,
) -> None:
    # A portrait photo stored sideways with EXIF orientation 6, as phones save them: displayed
    # 300x400 with red top-left and green top-right.
    displayed = quadrants((300, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(jpeg_bytes(displayed.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes()))
    with phone_browser(chromium_browser, [], "en-GB") as page:
        login(page, live_server, owner, password)
        page.goto(f"{live_server.url}{reverse('diagnosis:upload')}")
        page.set_input_files("[data-testid=image-input]", str(photo))
        first = wait_framed(page)
        assert first["crop_x"] + first["crop_width"] <= 300 and first["crop_y"] + first["crop_height"] <= 400
        page.locator("[data-testid=framing]").scroll_into_view_if_needed()
        drag_frame(page, -400, -400)  # into the top-left corner (the frame never leaves the photo)
        framed = crop_values(page)
        assert framed["crop_x"] <= 1 and framed["crop_y"] <= 1
        assert_fits_the_phone(page)
        page.click("[data-testid=upload-submit]")
        page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    diagnosis = analysed(Diagnosis.objects.get())  # the worker decodes and frames
    assert diagnosis.crop_box == [
        framed["crop_x"],
        framed["crop_y"],
        framed["crop_width"],
        framed["crop_height"],
    ]
    with diagnosis.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read())).convert("RGB")
    assert stored.size == (framed["crop_width"], framed["crop_height"])
    # The displayed orientation: red at the top-left of the frame, green at its top-right.
    assert close_to(np.asarray(stored.crop((4, 4, 24, 24))).reshape(-1, 3).mean(axis=0), RED, 25)
    right = stored.width - 24
    assert close_to(
        np.asarray(stored.crop((right, 4, right + 20, 24))).reshape(-1, 3).mean(axis=0), GREEN, 25
    )


def test_without_a_chosen_frame_the_whole_photo_is_sent(
    live_server: Any,
    chromium_browser: Any,
    owner: Any,
    password: str,
    enqueued: Any,
    tmp_path: Path,
    fake_predictor: Any,
) -> None:
    photo = tmp_path / "spot.jpg"
    photo.write_bytes(jpeg_bytes(quadrants((400, 300))))
    with phone_browser(chromium_browser, [], "en-GB") as page:
        login(page, live_server, owner, password)
        page.goto(f"{live_server.url}{reverse('diagnosis:upload')}")
        page.set_input_files("[data-testid=image-input]", str(photo))
        wait_framed(page)
        page.check("[data-testid=framing-whole]")
        assert crop_values(page)["crop_width"] is None
        assert_fits_the_phone(page)
        page.click("[data-testid=upload-submit]")
        page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    diagnosis = analysed(Diagnosis.objects.get())  # the worker decodes and frames
    assert diagnosis.crop_box == [] and (diagnosis.image_width, diagnosis.image_height) == (400, 300)
