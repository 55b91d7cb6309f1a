"""Framing the spot: the crop box travels with the upload (site and API), is checked by the server
and applied after the EXIF orientation; only the framed part is stored; bad boxes leave nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageOps
from rest_framework.test import APIClient

from diagnosis.decoding import validate_upload
from diagnosis.framing import CropBox, check_crop, parse_crop
from diagnosis.models import Diagnosis
from diagnosis.tests import images
from diagnosis.tests.fakes import analysed, media_files

RED, GREEN, BLUE, WHITE = (220, 30, 30), (30, 200, 60), (40, 60, 220), (250, 250, 250)


def quadrants(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Top-left red, top-right green, bottom-left blue, bottom-right white."""
    w, h = size
    img = Image.new("RGB", size, WHITE)
    img.paste(RED, (0, 0, w // 2, h // 2))
    img.paste(GREEN, (w // 2, 0, w, h // 2))
    img.paste(BLUE, (0, h // 2, w // 2, h))
    return img


def jpeg_bytes(img: Image.Image, **params: Any) -> bytes:
    return images.encode(img, "JPEG", quality=95, **params)


def mean_colour(data: bytes) -> tuple[float, float, float]:
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64).reshape(-1, 3)
    return tuple(float(v) for v in pixels.mean(axis=0))  # type: ignore[return-value]


def close_to(colour: tuple[float, ...], expected: tuple[int, int, int], tolerance: float = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def box(x: Any, y: Any, w: Any, h: Any) -> dict[str, Any]:
    return {"crop_x": x, "crop_y": y, "crop_width": w, "crop_height": h}


# --- parsing and checking ------------------------------------------------------------------


def test_no_box_means_the_whole_photo() -> None:
    assert parse_crop({}) is None
    assert parse_crop(box("", "", "", "")) is None
    assert parse_crop(box(None, None, None, None)) is None


def test_a_box_is_read_from_strings_or_numbers() -> None:
    assert parse_crop(box("10", "20.5", 100, "100")) == CropBox(10, 20.5, 100, 100)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (box("abc", 0, 100, 100), "crop_not_number"),
        (box("1e999", 0, 100, 100), "crop_not_number"),
        (box("nan", 0, 100, 100), "crop_not_number"),
        (box(True, 0, 100, 100), "crop_not_number"),
        (box(0, 0, 0, 100), "crop_empty"),
        (box(0, 0, 100, -5), "crop_empty"),
        ({"crop_x": "10"}, "crop_incomplete"),
    ],
)
def test_bad_boxes_are_refused_with_a_code(values: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_crop(values)
    assert excinfo.value.code == code


def test_a_rounding_slip_at_the_edge_is_clamped_but_outside_is_refused() -> None:
    assert check_crop(CropBox(301, 0, 100, 100), (400, 300), 64) == (301, 0, 400, 100)
    assert check_crop(CropBox(-1, -1, 100, 100), (400, 300), 64) == (0, 0, 99, 99)
    for outside in (CropBox(350, 0, 200, 100), CropBox(-40, 0, 100, 100), CropBox(0, 500, 100, 100)):
        with pytest.raises(ValidationError) as excinfo:
            check_crop(outside, (400, 300), 64)
        assert excinfo.value.code == "crop_outside"
    with pytest.raises(ValidationError) as excinfo:
        check_crop(CropBox(0, 0, 30, 30), (400, 300), 64)
    assert excinfo.value.code == "crop_too_small"


# --- applying it ---------------------------------------------------------------------------


def test_only_the_framed_part_is_stored() -> None:
    clean = validate_upload(io.BytesIO(jpeg_bytes(quadrants())), crop=CropBox(0, 0, 200, 150))
    assert (clean.width, clean.height) == (200, 150)
    assert close_to(mean_colour(clean.jpeg), RED)
    assert close_to(mean_colour(clean.thumbnail), RED)


def test_the_box_is_in_pixels_of_the_photo_as_displayed_after_exif_orientation() -> None:
    # Displayed portrait 200x300 with red top-left; stored sideways with orientation 6
    # ("rotate 90° clockwise to display"), as phones do.
    displayed = quadrants((200, 300))
    raw = displayed.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = jpeg_bytes(raw, exif=exif.tobytes())
    whole = validate_upload(io.BytesIO(data))
    assert (whole.width, whole.height) == (200, 300)
    framed = validate_upload(io.BytesIO(data), crop=CropBox(100, 150, 100, 150))
    assert (framed.width, framed.height) == (100, 150)
    assert close_to(mean_colour(framed.jpeg), WHITE)
    framed = validate_upload(io.BytesIO(data), crop=CropBox(0, 0, 100, 150))
    assert close_to(mean_colour(framed.jpeg), RED)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_keeps_exactly_the_displayed_frame(orientation: int) -> None:
    # Reference: Pillow's own exif_transpose, then the box, on a picture with no symmetry.
    rng = np.random.default_rng(orientation)
    raw = Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).resize((320, 240), Image.NEAREST)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = images.encode(raw, "PNG", exif=exif.tobytes())  # lossless, so pixels can be compared
    displayed = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    x, y, w, h = 20, 40, 100, 120
    expected = np.asarray(displayed.convert("RGB").crop((x, y, x + w, y + h)), dtype=np.float64)
    clean = validate_upload(io.BytesIO(data), crop=CropBox(x, y, w, h))
    got = np.asarray(Image.open(io.BytesIO(clean.jpeg)).convert("RGB"), dtype=np.float64)
    assert got.shape == expected.shape
    assert np.abs(got - expected).mean() < 6  # JPEG re-encoding noise only


def test_a_small_frame_in_a_big_photo_keeps_its_full_resolution() -> None:
    # Without a frame a 4000x3000 JPEG is decoded at half scale; the frame must not be.
    big = quadrants((4000, 3000))
    clean = validate_upload(io.BytesIO(jpeg_bytes(big)), crop=CropBox(1000, 700, 800, 800))
    assert (clean.width, clean.height) == (800, 800)
    assert close_to(mean_colour(clean.jpeg), RED)


# --- through the site and the API ------------------------------------------------------------


def post(client: Client, data: bytes, **fields: Any) -> Any:
    payload = {"image": SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg"), **fields}
    return client.post(reverse("diagnosis:upload"), payload)


def test_upload_with_a_frame_stores_only_the_frame(
    owner_client: Client, enqueued: Any, media_root: Path, fake_predictor: Any
) -> None:
    response = post(owner_client, jpeg_bytes(quadrants()), **box("200", "0", "200", "150"))
    assert response.status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.crop_box == [200, 0, 200, 150]
    assert not diagnosis.image, "the web process stores the upload; the worker cuts the frame"
    diagnosis = analysed(diagnosis)
    assert fake_predictor.images[0].size == (200, 150), "the model sees the framed photo"
    assert (diagnosis.image_width, diagnosis.image_height) == (200, 150)
    with diagnosis.image.open("rb") as fh:
        assert close_to(mean_colour(fh.read()), GREEN)


def test_upload_without_a_frame_keeps_the_whole_photo(
    owner_client: Client, enqueued: Any, fake_predictor: Any
) -> None:
    assert post(owner_client, jpeg_bytes(quadrants()), **box("", "", "", "")).status_code == 302
    diagnosis = analysed(Diagnosis.objects.get())
    assert diagnosis.crop_box == [] and (diagnosis.image_width, diagnosis.image_height) == (400, 300)


BAD_BOXES = [
    pytest.param(box(350, 0, 200, 150), "goes outside the photo", id="outside"),
    pytest.param(box(-60, 0, 100, 100), "goes outside the photo", id="negative"),
    pytest.param(box(0, 0, 0, 0), "has no size", id="zero-size"),
    pytest.param(box("left", "top", "big", "big"), "must be numbers", id="not-numbers"),
    pytest.param(box("Infinity", 0, 100, 100), "must be numbers", id="infinite"),
    pytest.param({"crop_x": "10", "crop_y": "10"}, "incomplete", id="partial"),
    pytest.param(box(0, 0, 20, 20), "too small", id="tiny"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_BOXES)
def test_a_bad_frame_on_the_site_gives_a_clear_error_and_leaves_nothing(
    owner_client: Client, media_root: Path, enqueued: Any, fields: dict[str, Any], message: str
) -> None:
    response = post(owner_client, jpeg_bytes(quadrants()), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="form-error"' in response.content.decode()
    assert Diagnosis.objects.count() == 0 and media_files(media_root) == [] and enqueued.ids == []


@pytest.mark.parametrize(("fields", "message"), BAD_BOXES)
def test_a_bad_frame_in_the_api_is_a_field_error_and_leaves_nothing(
    owner: Any, media_root: Path, enqueued: Any, fields: dict[str, Any], message: str
) -> None:
    client = APIClient()
    client.force_authenticate(owner)
    payload = {"image": SimpleUploadedFile("spot.jpg", jpeg_bytes(quadrants())), **fields}
    response = client.post(reverse("api:diagnosis-list"), payload, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    # Under "crop" (the box as a whole) or the one crop_* field that is not a number.
    texts = [text for key, texts in error["fields"].items() if key.startswith("crop") for text in texts]
    assert any(message in text for text in texts), error
    assert Diagnosis.objects.count() == 0 and media_files(media_root) == [] and enqueued.ids == []


def test_the_camera_page_gets_a_bad_frame_as_json(owner_client: Client, enqueued: Any) -> None:
    payload = {"image": SimpleUploadedFile("camera.jpg", jpeg_bytes(quadrants())), **box(0, 0, 0, 10)}
    response = owner_client.post(reverse("diagnosis:upload"), payload, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "has no size" in response.json()["errors"][0]


def test_api_upload_with_a_frame(owner: Any, enqueued: Any, fake_predictor: Any) -> None:
    client = APIClient()
    client.force_authenticate(owner)
    payload = {"image": SimpleUploadedFile("spot.jpg", jpeg_bytes(quadrants())), **box(0, 150, 200, 150)}
    response = client.post(reverse("api:diagnosis-list"), payload, format="multipart")
    assert response.status_code == 202 and response.json()["framed"] is True
    diagnosis = analysed(Diagnosis.objects.get())
    with diagnosis.image.open("rb") as fh:
        assert close_to(mean_colour(fh.read()), BLUE)


def test_frame_errors_are_translated(owner: Any, enqueued: Any) -> None:
    owner.preferred_language = "ar"
    owner.save()
    client = Client()
    client.force_login(owner)
    client.cookies["django_language"] = "ar"
    response = post(client, jpeg_bytes(quadrants()), **box(350, 0, 200, 150))
    html = response.content.decode()
    assert response.status_code == 400
    assert "goes outside the photo" not in html and "خارج الصورة" in html
    api = APIClient()
    api.force_authenticate(owner)
    payload = {"image": SimpleUploadedFile("spot.jpg", jpeg_bytes(quadrants())), **box("x", 0, 10, 10)}
    response = api.post(reverse("api:diagnosis-list"), payload, format="multipart", HTTP_ACCEPT_LANGUAGE="ar")
    assert "must be numbers" not in str(response.json()) and "أرقام" in str(response.json())
