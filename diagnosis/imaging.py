"""Upload validation and clean re-encoding (web process; Pillow only, never torch).

Nothing about an upload is trusted: not the file name, not the browser's content
type. The bytes are sniffed with Pillow, fully decoded (so truncated files fail
here, not in the worker), EXIF orientation is applied and the pixels are copied
into a brand-new image, so the stored file carries no metadata at all (no GPS,
no camera serial, no XMP, no embedded thumbnail).
"""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from diagnosis.decode_budget import (
    FULL_DECODE_FORMATS,
    decode_budget_bytes,
    decode_bytes,
    max_full_decode_pixels,
    webp_canvas_size,
)
from diagnosis.framing import TRANSPOSE, CropBox, check_crop, displayed_size

try:  # HEIC/HEIF (iPhone photos)
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a pinned runtime dependency
    pillow_heif = None

# A truncated file must fail, not decode as half a grey picture.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "HEIC", "AVIF"}
# Markup that makes a file dangerous if some client ever renders it as HTML/SVG
# (polyglots: a valid image that is also a web page).
_MARKUP = re.compile(rb"<(?:html|script|svg|!doctype|iframe|body|object|embed|\?php)[\s>/]", re.IGNORECASE)

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 64_000_000  # ~ a 48 MP phone photo with margin
DEFAULT_MIN_SIDE = 64
DEFAULT_STORED_MAX_SIDE = 1600
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 88
# Rows are converted a band at a time, about this many pixels each: a full-size copy of a
# 24 MP photo is 96 MB in Pillow, a band ~4 MB.
STRIP_PIXELS = 1_000_000


def max_upload_bytes() -> int:
    return int(getattr(settings, "DIAGNOSIS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "DIAGNOSIS_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def min_side() -> int:
    return int(getattr(settings, "DIAGNOSIS_MIN_SIDE", DEFAULT_MIN_SIDE))


def stored_max_side() -> int:
    return int(getattr(settings, "DIAGNOSIS_STORED_MAX_SIDE", DEFAULT_STORED_MAX_SIDE))


@dataclass(frozen=True)
class CleanImage:
    """A validated upload, re-encoded without metadata."""

    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str


def _reject(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _read_limited(upload: UploadedFile | io.IOBase, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _reject(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            "too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _reject(
            _("The file is too large. The limit is %(limit)s.") % {"limit": filesizeformat(limit)},
            "too_large",
        )
    return data


def _too_large(width: int, height: int) -> ValidationError:
    return _reject(
        _("The image is too large (%(w)s × %(h)s pixels). Please upload a smaller photo.")
        % {"w": width, "h": height},
        "dimensions",
    )


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
        top = 65535 if img.mode.startswith("I;16") or (img.getextrema()[1] or 0) > 255 else 255
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


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation tag (1 when absent or unreadable)."""
    try:
        return int(img.getexif().get(0x0112, 1))
    except (OSError, ValueError, SyntaxError, TypeError, struct.error):
        return 1


def validate_upload(upload: UploadedFile | io.IOBase, crop: CropBox | None = None) -> CleanImage:
    """Validate an uploaded photo (keeping only the patient's frame ``crop``, if given) and
    return it re-encoded, or raise ValidationError."""
    limit = max_upload_bytes()
    data = _read_limited(upload, limit)
    if not data:
        raise _reject(_("The file is empty. Please choose a photo."), "empty")
    if _MARKUP.search(data):
        raise _reject(
            _("This file contains web page or script content and is not accepted as a photo."),
            "markup",
        )

    pixel_limit = max_pixels()
    canvas = webp_canvas_size(data)  # Pillow allocates a WebP's whole canvas when opening it
    if canvas and canvas[0] * canvas[1] > min(pixel_limit, max_full_decode_pixels()):
        raise _too_large(*canvas)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = (img.format or "").upper()
            if fmt not in ACCEPTED_FORMATS:
                raise _reject(
                    _("This file type is not supported. Please upload a JPEG, PNG, WebP or HEIC photo."),
                    "format",
                )
            width, height = img.size
            if fmt in FULL_DECODE_FORMATS:  # decoded at full size before it can be shrunk
                pixel_limit = min(pixel_limit, max_full_decode_pixels())
            if width * height > pixel_limit or decode_bytes(img, fmt, data) > decode_budget_bytes():
                raise _too_large(width, height)
            if min(width, height) < min_side():
                raise _reject(
                    _(
                        "The image is too small (%(w)s × %(h)s pixels). Please take a closer, "
                        "sharper photo of at least %(min)s pixels on each side."
                    )
                    % {"w": width, "h": height, "min": min_side()},
                    "tiny",
                )
            if (
                fmt not in ("HEIF", "HEIC")
                and (getattr(img, "is_animated", False) or getattr(img, "n_frames", 1) > 1)
                and fmt != "MPO"
            ):
                raise _reject(
                    _("Animated images are not accepted. Please upload a single still photo."),
                    "animated",
                )
            if fmt in ("JPEG", "MPO"):
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far bigger
                # than what we keep (a 12 MP photo decodes at 1/2: ~4x less work).
                side = stored_max_side()
                scale = side / max(width, height)
                if crop is not None:  # decode finely enough for the frame to keep up to `side` px
                    scale = max(scale, min(1.0, side / max(crop.width, crop.height)))
                img.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            img.load()
            orientation = _orientation(img)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(
            _("The image is too large to process. Please upload a smaller photo."), "dimensions"
        ) from None
    except UnidentifiedImageError:
        raise _reject(
            _("This file is not a photo we can read. Please upload a JPEG, PNG, WebP or HEIC image."),
            "not_image",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _reject(
            _("The image file is damaged or incomplete. Please take or choose the photo again."),
            "corrupt",
        ) from None

    # Only the patient's frame (if any), shrunk by a whole factor while still at least `side`
    # pixels long, and converted to RGB a band at a time: the full-size decoded image is the
    # only full-size buffer (a PNG cannot be decoded reduced, nor a progressive JPEG).
    side = stored_max_side()
    box = _source_box(crop, img.size, (width, height), orientation)
    factor = max(1, max(box[2] - box[0], box[3] - box[1]) // side)
    decoded, img = img, _shrink_to_rgb(img, box, factor)
    decoded.close()
    del decoded
    if max(img.size) > side:
        img.thumbnail((side, side), Image.Resampling.BICUBIC)
    # Orientation is applied after downscaling (same result, a fraction of the work).
    if orientation in TRANSPOSE:
        img = img.transpose(TRANSPOSE[orientation])
    jpeg = _encode_jpeg(img)
    thumb = img.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BICUBIC)
    return CleanImage(
        jpeg=jpeg,
        thumbnail=_encode_jpeg(thumb, quality=85),
        width=img.width,
        height=img.height,
        source_format=fmt,
    )
