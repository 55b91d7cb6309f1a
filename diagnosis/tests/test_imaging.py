"""The validation corpus: every bad input gets a clear message; odd-but-valid photos are converted.

Two stages, as in production: the web process checks the header (``inspect_upload``: everything
in BAD_INPUTS is refused there, before any row or file exists); the worker decodes
(``decode_photo``): DAMAGED_INPUTS pass the header check and are found there (the diagnosis
then ends as rejected, test_services). ``validate_upload`` runs both stages.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from diagnosis.decoding import _source_box, decode_photo, validate_upload
from diagnosis.framing import TRANSPOSE, CropBox, apply_crop
from diagnosis.imaging import inspect_upload
from diagnosis.tests import images

ROOT = Path(__file__).resolve().parents[2]


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "text_renamed_jpg": (b"just some notes about my skin\n" * 50, "not_image"),
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
    # Small files, huge pictures: 136 KB and 257 KB, 8000 x 8000 pixels each.
    "png_16bit_8000px": (images.png_streamed(8000, 8000, color_type=0, bit_depth=16), "dimensions"),
    "png_rgba_8000px": (images.png_streamed(8000, 8000, color_type=6), "dimensions"),
}


# Headers that read fine over pixels that do not: only decoding finds them (in the worker).
DAMAGED_INPUTS = {
    "truncated_jpeg": images.jpeg((800, 600))[:4000],
    "truncated_png": (lambda png: png[: len(png) // 2])(images.encode(images.skin_photo((400, 300)), "PNG")),
    "jpeg_cut_after_header": images.jpeg((800, 600))[:700],
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_with_a_clear_message(case: str) -> None:
    data, code = BAD_INPUTS[case]
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload(data))  # the web process: header only
    assert excinfo.value.code == code
    message = excinfo.value.messages[0]
    assert len(message) > 20 and "Traceback" not in message


@pytest.mark.parametrize("case", sorted(DAMAGED_INPUTS))
def test_damaged_file_passes_the_header_check_and_is_found_when_decoded(case: str) -> None:
    info = inspect_upload(upload(DAMAGED_INPUTS[case]))
    with pytest.raises(ValidationError) as excinfo:
        decode_photo(info.data)
    assert excinfo.value.code == "corrupt"
    assert "damaged" in excinfo.value.messages[0]


def test_the_web_check_decodes_no_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: Image.Image, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the web process decoded pixels")

    photos = [images.jpeg_with_gps(orientation=6), images.encode(images.skin_photo(), "PNG")]
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    infos = [inspect_upload(upload(data)) for data in photos]
    assert [info.data for info in infos] == photos and all(info.width > 0 for info in infos)
    assert infos[0].orientation == 6


def test_oversized_file_is_rejected_before_decoding(settings: Any) -> None:
    settings.DIAGNOSIS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload(images.jpeg()))
    assert excinfo.value.code == "too_large"
    assert "too large" in excinfo.value.messages[0]


def test_pixel_limit_is_configurable(settings: Any) -> None:
    settings.DIAGNOSIS_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload(images.jpeg((400, 300))))
    assert excinfo.value.code == "dimensions"


def test_rejection_message_is_translated_to_arabic() -> None:
    from django.utils import translation

    with translation.override("ar"), pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload(b""))
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


# --- what decoding costs ----------------------------------------------------------------------
# Whatever is uploaded (within the size limit), validating it costs the web process at most
# this much: measured in a fresh process (diagnosis/tests/decode_probe.py), peak RSS above the
# starting point and CPU time over all threads.
MAX_DECODE_RSS_MB = 256
MAX_DECODE_CPU_S = 1.5


def _cmyk_progressive_jpeg() -> bytes:
    # 36 MP (within the 64 MP JPEG limit), but progressive: libjpeg must hold every DCT
    # coefficient (8 bytes a pixel for CMYK) before the first row comes out.
    return images.encode(Image.new("CMYK", (6000, 6000), (0, 128, 255, 0)), "JPEG", progressive=True)


COST_PROBES = {
    "png_16bit_8000px": (lambda: BAD_INPUTS["png_16bit_8000px"][0], "dimensions"),
    "png_rgba_8000px": (lambda: BAD_INPUTS["png_rgba_8000px"][0], "dimensions"),
    "webp_rgba_25mp": (
        lambda: images.encode(Image.new("RGBA", (5000, 5000), (200, 150, 120, 128)), "WEBP", lossless=True),
        "dimensions",
    ),
    "jpeg_cmyk_progressive_36mp": (_cmyk_progressive_jpeg, "dimensions"),
    # The largest PNGs still accepted: decoded at full size, converted a band at a time.
    "png_rgba_16bit_25mp": (lambda: images.png_streamed(5000, 5000, color_type=6, bit_depth=16), "ok"),
    "png_16bit_grey_25mp": (lambda: images.png_streamed(5000, 5000, color_type=0, bit_depth=16), "ok"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(COST_PROBES))
def test_decoding_any_upload_stays_within_memory_and_cpu_bounds(case: str, tmp_path: Path) -> None:
    make, expected = COST_PROBES[case]
    probe = tmp_path / case
    probe.write_bytes(make())
    assert probe.stat().st_size < 2 * 1024 * 1024, "a small file"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    out = subprocess.run(
        [sys.executable, "-m", "diagnosis.tests.decode_probe", str(probe)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    cost = json.loads(out.stdout.strip().splitlines()[-1])
    assert cost["code"] == expected, cost
    assert cost["rss_mb"] <= MAX_DECODE_RSS_MB, cost
    assert cost["cpu_s"] <= MAX_DECODE_CPU_S, cost


def test_big_png_is_stored_downscaled_with_its_content() -> None:
    clean = validate_upload(upload(images.png_streamed(5000, 3000, color_type=0, bit_depth=16)))
    stored = decoded(clean.jpeg)
    assert stored.size == (1600, 960)
    assert all(abs(v - 127) <= 3 for v in stored.getpixel((800, 480))), stored.getpixel((800, 480))


def test_transparent_big_png_is_flattened_on_white_after_shrinking() -> None:
    clean = validate_upload(upload(images.png_streamed(4000, 3000, color_type=6)))
    stored = decoded(clean.jpeg)
    assert stored.size == (1600, 1200)
    # 50% grey at 50% opacity over white
    assert all(abs(v - 191) <= 3 for v in stored.getpixel((10, 10))), stored.getpixel((10, 10))


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("draft", [1, 2], ids=["full", "draft_half"])
def test_frame_is_cut_from_the_unrotated_pixels_exactly_as_apply_crop_cuts_it(
    orientation: int, draft: int
) -> None:
    # validate_upload crops before orienting (no full-size rotated copy); the kept pixels must
    # be exactly those diagnosis.framing.apply_crop keeps, also from a draft-decoded JPEG.
    rng = np.random.default_rng(orientation)
    source = (194, 122)
    decoded_img = Image.fromarray(
        rng.integers(0, 256, (source[1] // draft, source[0] // draft, 3), dtype=np.uint8)
    )
    shown_w, shown_h = (source[1], source[0]) if orientation in (5, 6, 7, 8) else source
    box = CropBox(shown_w * 0.2, shown_h * 0.25, shown_w * 0.55, shown_h * 0.6)
    expected = apply_crop(decoded_img, box, source_size=source, orientation=orientation, min_side=8)
    from diagnosis import decoding

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(decoding, "min_side", lambda: 8)
        cut = decoded_img.crop(_source_box(box, decoded_img.size, source, orientation))
    if orientation in TRANSPOSE:
        cut = cut.transpose(TRANSPOSE[orientation])
    assert cut.size == expected.size
    assert cut.tobytes() == expected.tobytes()


def test_a_picture_too_big_to_decode_is_refused_in_arabic_too() -> None:
    from django.utils import translation

    with translation.override("ar"), pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload(BAD_INPUTS["png_16bit_8000px"][0]))
    assert excinfo.value.code == "dimensions"
    assert "8000" in excinfo.value.messages[0]
    assert any("\u0600" <= ch <= "\u06ff" for ch in excinfo.value.messages[0])
