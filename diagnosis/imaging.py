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
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from diagnosis.framing import CropBox, apply_crop

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


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any decoded mode -> 8-bit RGB (CMYK, 16-bit, palette, transparency...)."""
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "CMYK"):
        try:  # colour-manage to sRGB so Display-P3/CMYK photos keep their colours
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(img, src, dst, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        arr = np.clip(arr / top * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, mode="L").convert("RGB")
    has_alpha = (
        img.mode in ("RGBA", "LA", "PA", "RGBa", "La")
        or (img.mode == "P" and "transparency" in img.info)
        or (img.mode in ("RGB", "L") and "transparency" in img.info)
    )
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def _encode_jpeg(img: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    # Empty info dict and no exif/icc arguments: no EXIF, XMP, ICC or comment rides along.
    img.info = {}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


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
            if width * height > pixel_limit:
                raise _reject(
                    _("The image is too large (%(w)s × %(h)s pixels). Please upload a smaller photo.")
                    % {"w": width, "h": height},
                    "dimensions",
                )
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

    img = _to_rgb(img)
    if crop is not None:  # diagnosis.framing orients the photo, then keeps only the frame
        img = apply_crop(img, crop, source_size=(width, height), orientation=orientation, min_side=min_side())
        orientation = 1
    side = stored_max_side()
    if max(img.size) > side:
        img.thumbnail((side, side), Image.Resampling.BICUBIC)
    # Orientation is applied after downscaling (same result, a fraction of the work).
    if orientation in _TRANSPOSE:
        img = img.transpose(_TRANSPOSE[orientation])
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
