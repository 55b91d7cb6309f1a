"""The validation corpus: every bad input gets a clear message; odd-but-valid photos are converted."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from diagnosis.imaging import validate_upload
from diagnosis.tests import images


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "text_renamed_jpg": (b"just some notes about my skin\n" * 50, "not_image"),
    "truncated_jpeg": (images.jpeg((800, 600))[:4000], "corrupt"),
    "html": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "markup"),
    "svg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
        b'<rect width="200" height="200"/><script>alert(1)</script></svg>',
        "markup",
    ),
    "svg_without_script": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><rect/></svg>',
        "markup",
    ),
    "polyglot_jpeg_html": (images.jpeg() + b"<html><script>alert(document.cookie)</script></html>", "markup"),
    "polyglot_comment": (images.jpeg(comment=b"<script>alert(1)</script>"), "markup"),
    "huge_dimensions": (images.png_header_only(30000, 30000), "dimensions"),
    "animated_gif": (images.animated_gif(), "format"),
    "animated_png": (images.animated_png(), "animated"),
    "tiny": (images.jpeg((40, 40)), "tiny"),
    "bmp": (images.encode(images.skin_photo(), "BMP"), "format"),
    "tiff": (images.encode(images.skin_photo(), "TIFF"), "format"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_with_a_clear_message(case: str) -> None:
    data, code = BAD_INPUTS[case]
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload(data))
    assert excinfo.value.code == code
    message = excinfo.value.messages[0]
    assert len(message) > 20 and "Traceback" not in message


def test_oversized_file_is_rejected_before_decoding(settings: Any) -> None:
    settings.DIAGNOSIS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload(images.jpeg()))
    assert excinfo.value.code == "too_large"
    assert "too large" in excinfo.value.messages[0]


def test_pixel_limit_is_configurable(settings: Any) -> None:
    settings.DIAGNOSIS_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload(images.jpeg((400, 300))))
    assert excinfo.value.code == "dimensions"


def test_rejection_message_is_translated_to_arabic() -> None:
    from django.utils import translation

    with translation.override("ar"), pytest.raises(ValidationError) as excinfo:
        validate_upload(upload(b""))
    assert excinfo.value.messages[0] != "The file is empty. Please choose a photo."


def decoded(clean_jpeg: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(clean_jpeg))
    img.load()
    return img


@pytest.mark.parametrize(
    ("name", "data", "expected_rgb"),
    [
        ("cmyk", images.cmyk_jpeg(), None),
        ("16bit", images.png_16bit(), (155, 155, 155)),
        ("palette_transparent", images.palette_transparent_png(), (255, 255, 255)),
        ("rgba", images.rgba_png(), (255, 255, 255)),
        ("webp", images.encode(images.skin_photo(), "WEBP"), None),
        ("png", images.encode(images.skin_photo(), "PNG"), None),
    ],
)
def test_unusual_but_valid_images_become_plain_rgb_jpeg(name: str, data: bytes, expected_rgb: Any) -> None:
    clean = validate_upload(upload(data, name=f"x.{name}"))
    stored = decoded(clean.jpeg)
    assert stored.format == "JPEG"
    assert stored.mode == "RGB"
    if expected_rgb is not None:
        corner = stored.getpixel((2, 2))
        assert all(abs(a - b) <= 6 for a, b in zip(corner, expected_rgb, strict=True)), corner


def test_heic_is_accepted() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    try:
        data = images.encode(images.skin_photo(), "HEIF")
    except (KeyError, OSError, ValueError) as exc:  # encoder not built into this wheel
        pytest.skip(f"this pillow-heif build cannot encode HEIF: {exc}")
    assert pillow_heif
    clean = validate_upload(upload(data, name="IMG_0001.HEIC", content_type="image/heic"))
    assert decoded(clean.jpeg).size == (400, 300)


def test_exif_orientation_is_applied_and_all_metadata_is_dropped() -> None:
    source = Image.open(io.BytesIO(images.jpeg_with_gps(orientation=6)))
    assert source.getexif().get_ifd(0x8825), "the fixture really carries GPS"
    clean = validate_upload(upload(images.jpeg_with_gps(orientation=6)))
    stored = decoded(clean.jpeg)
    # 300x200 rotated by the orientation tag -> 200x300
    assert stored.size == (200, 300)
    assert not stored.getexif()
    assert "exif" not in stored.info and "comment" not in stored.info and "icc_profile" not in stored.info
    assert (
        b"Exif" not in clean.jpeg and b"SecretPhone" not in clean.jpeg and b"secret comment" not in clean.jpeg
    )
    assert b"Exif" not in clean.thumbnail


def test_big_photo_is_downscaled_for_storage_and_gets_a_thumbnail(settings: Any) -> None:
    settings.DIAGNOSIS_STORED_MAX_SIDE = 512
    clean = validate_upload(upload(images.jpeg((2400, 1800))))
    assert max(decoded(clean.jpeg).size) <= 512 * 2  # JPEG draft may keep up to 2x, then resized
    assert max(decoded(clean.jpeg).size) == 512
    assert max(decoded(clean.thumbnail).size) <= 320
