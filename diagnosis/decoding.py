"""Decoding a checked upload, once, in the worker (Pillow only).

The web process has read only the header (``diagnosis.imaging``). Here the photo is decoded
once (JPEG at a reduced DCT scale, ``draft``), the patient's frame is cut, the EXIF orientation
applied and the pixels copied into a brand-new image, so the stored master and thumbnail carry
no metadata at all (no GPS, camera serial, XMP, ICC or embedded thumbnail). The same decoded
image then goes to the model. CMYK, 16-bit, palette and transparent images become RGB a band of
rows at a time (no full-size converted copy).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageFile

from diagnosis.framing import TRANSPOSE, CropBox, check_crop, displayed_size
from diagnosis.imaging import (
    check_header,
    damaged,
    inspect_upload,
    min_side,
    open_header,
    orientation_of,
    stored_max_side,
)

THUMBNAIL_SIDE = 320
JPEG_QUALITY = 88
# Rows are converted a band at a time, about this many pixels each: a full-size copy of a
# 24 MP photo is 96 MB in Pillow, a band ~4 MB.
STRIP_PIXELS = 1_000_000


MASTER_RESAMPLE = Image.Resampling.BOX


def _plain_rgb(img: Image.Image) -> bool:
    """Already 8-bit sRGB-ish RGB with nothing to convert (no ICC profile, no transparency)."""
    return img.mode == "RGB" and not img.info.get("icc_profile") and "transparency" not in img.info


@dataclass(frozen=True)
class DecodedPhoto:
    """The photo as stored (framed, oriented, at most ``stored_max_side``) and its encodings."""

    image: Image.Image
    jpeg: bytes
    thumbnail: bytes
    source_format: str

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


def _grey_to_l(part: Image.Image, top: int) -> Image.Image:
    """16-bit/32-bit grey -> 8-bit, in integers (float64 would take 8 bytes a pixel)."""
    arr = np.asarray(part)
    if arr.dtype.kind == "f":
        scaled = np.clip(arr, 0, top).astype(np.float32) * np.float32(255 / top)
    else:
        scaled = np.clip(arr, 0, top).astype(np.uint32) * 255 // top
    return Image.fromarray(scaled.astype(np.uint8))


def _flatten_alpha(part: Image.Image) -> Image.Image:
    """Transparent pixels become white (as the page shows them)."""
    rgba = part if part.mode == "RGBA" else part.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _rgb_converter(img: Image.Image) -> Callable[[Image.Image], Image.Image]:
    """A conversion from ``img``'s decoded mode (CMYK, 16-bit, palette, transparency...) to
    8-bit RGB or L, decided once for the whole image and applied to one band of rows at a time."""
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "CMYK"):
        try:  # colour-manage to sRGB so Display-P3/CMYK photos keep their colours
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            transform = ImageCms.buildTransform(src, ImageCms.createProfile("sRGB"), img.mode, "RGB")
            return lambda part: ImageCms.applyTransform(part, transform)  # type: ignore[return-value]
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        high = img.getextrema()[1]  # one band: (min, max)
        top = 65535 if img.mode.startswith("I;16") or (isinstance(high, int | float) and high > 255) else 255
        return lambda part: _grey_to_l(part, top)
    has_alpha = (
        img.mode in ("RGBA", "LA", "PA", "RGBa", "La")
        or (img.mode == "P" and "transparency" in img.info)
        or (img.mode in ("RGB", "L") and "transparency" in img.info)
    )
    if has_alpha:
        return _flatten_alpha
    if img.mode in ("RGB", "L"):
        return lambda part: part
    return lambda part: part.convert("RGB")


def _shrink_to_rgb(img: Image.Image, box: tuple[int, int, int, int], factor: int) -> Image.Image:
    """The ``box`` of ``img`` in 8-bit RGB, reduced by an integer ``factor``, converted a band of
    rows at a time: beyond the decoded image itself, no full-size copy is ever made."""
    convert = _rgb_converter(img)
    left, top, right, bottom = box
    width = right - left
    rows = max(factor, STRIP_PIXELS // max(1, width) // factor * factor)
    out: Image.Image | None = None
    for y in range(top, bottom, rows):
        band = convert(img.crop((left, y, right, min(bottom, y + rows))))
        if factor > 1:
            band = band.reduce(factor)
        if out is None:
            out = Image.new(band.mode, (math.ceil(width / factor), math.ceil((bottom - top) / factor)))
        out.paste(band, (0, (y - top) // factor))
    assert out is not None
    return out if out.mode == "RGB" else out.convert("RGB")


def _source_box(
    crop: CropBox | None, decoded: tuple[int, int], source: tuple[int, int], orientation: int
) -> tuple[int, int, int, int]:
    """The patient's frame (displayed pixels of the full photo) as a box of the decoded, not
    yet oriented pixels; the whole image without a frame. Cropping there, then orienting, keeps
    exactly what diagnosis.framing.apply_crop keeps, without a full-size transposed copy."""
    dec_w, dec_h = decoded
    if crop is None:
        return 0, 0, dec_w, dec_h
    full_w, full_h = displayed_size(*source, orientation)
    left, top, right, bottom = check_crop(crop, (full_w, full_h), min_side())
    shown_w, shown_h = displayed_size(dec_w, dec_h, orientation)
    sx, sy = shown_w / full_w, shown_h / full_h
    l, t = max(0, math.floor(left * sx)), max(0, math.floor(top * sy))  # noqa: E741
    r = min(shown_w, max(l + 1, round(right * sx)))
    b = min(shown_h, max(t + 1, round(bottom * sy)))
    # Displayed box -> decoded box, inverting each EXIF orientation's transposition.
    return {
        2: (dec_w - r, t, dec_w - l, b),
        3: (dec_w - r, dec_h - b, dec_w - l, dec_h - t),
        4: (l, dec_h - b, r, dec_h - t),
        5: (t, l, b, r),
        6: (t, dec_h - r, b, dec_h - l),
        7: (dec_w - b, dec_h - r, dec_w - t, dec_h - l),
        8: (dec_w - b, l, dec_w - t, r),
    }.get(orientation, (l, t, r, b))


def _encode_jpeg(img: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    # Empty info dict and no exif/icc arguments: no EXIF, XMP, ICC or comment rides along.
    img.info = {}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def decode_photo(data: bytes, crop: CropBox | None = None) -> DecodedPhoto:
    """Decode checked upload bytes into the stored photo; ValidationError (code "corrupt" for a
    damaged file) if they cannot be decoded."""
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a damaged file must fail (another library may flip it)
    img = open_header(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fmt, width, height = check_header(img, data)  # again: the bytes came through storage
            orientation = orientation_of(img)
            side = stored_max_side()
            if fmt in ("JPEG", "MPO"):
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far bigger
                # than what we keep (a 12 MP photo decodes at 1/2: ~4x less work).
                scale = side / max(width, height)
                if crop is not None:  # decode finely enough for the frame to keep up to `side` px
                    scale = max(scale, min(1.0, side / max(crop.width, crop.height)))
                img.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            img.load()
    except ValidationError:
        img.close()
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        img.close()
        raise ValidationError("too large to decode", code="dimensions") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        img.close()
        raise damaged() from None

    # Only the patient's frame (if any), shrunk by a whole factor while still at least `side`
    # pixels long, and converted to RGB a band at a time: the full-size decoded image is the
    # only full-size buffer (a PNG cannot be decoded reduced, nor a progressive JPEG).
    box = _source_box(crop, img.size, (width, height), orientation)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    factor = max(1, max(box_w, box_h) // side)
    decoded = img
    if factor == 1 and _plain_rgb(img):
        # The common phone JPEG (decoded at a DCT scale to less than twice `side`): cut and shrink
        # in one resampling pass, no band copy. For a shrink by less than 2, area averaging (BOX)
        # looks the same as bicubic at 45% of its cost (29 vs 67 ms for a 12-MP photo's 1/2 scale).
        scale = min(1.0, side / max(box_w, box_h))
        size = (max(1, round(box_w * scale)), max(1, round(box_h * scale)))
        img = img.resize(size, MASTER_RESAMPLE, box=box) if scale < 1 else img.crop(box)
    else:
        img = _shrink_to_rgb(img, box, factor)
        if max(img.size) > side:
            img.thumbnail((side, side), MASTER_RESAMPLE)
    decoded.close()
    del decoded
    # Orientation is applied after downscaling (same result, a fraction of the work).
    if orientation in TRANSPOSE:
        img = img.transpose(TRANSPOSE[orientation])
    jpeg = _encode_jpeg(img)
    thumb = img.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return DecodedPhoto(image=img, jpeg=jpeg, thumbnail=_encode_jpeg(thumb, quality=85), source_format=fmt)


def validate_upload(upload: object, crop: CropBox | None = None) -> DecodedPhoto:
    """Both steps at once (header check as in the web process, then the worker's decode): for
    tests, the decoding-cost probe and benchmarks."""
    info = inspect_upload(upload, crop=crop)  # type: ignore[arg-type]
    return decode_photo(info.data, crop=crop)
