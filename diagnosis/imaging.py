"""Upload checks in the web process: size, format sniff and header only (Pillow, never a decode).

Nothing about an upload is trusted: not the file name, not the browser's content type. The
bytes are sniffed with Pillow and only the header is read (format, dimensions, frame count,
EXIF orientation, what decoding would cost): no pixel is decoded here, so a hostile file
cannot exhaust the web process. The worker decodes the photo once (``diagnosis.decoding``);
a file that turns out to be damaged there ends as *rejected* with a clear reason.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageFile, UnidentifiedImageError

from diagnosis.decode_budget import (
    FULL_DECODE_FORMATS,
    decode_budget_bytes,
    decode_bytes,
    max_full_decode_pixels,
    webp_canvas_size,
)
from diagnosis.framing import CropBox, check_crop, displayed_size

try:  # HEIC/HEIF (iPhone photos): the opener reads the header without decoding
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a pinned runtime dependency
    pass  # (nothing reads the module: registering the opener is the point)

# A truncated file must fail, not decode as half a grey picture.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "HEIC", "AVIF"}
# Markup that makes a file dangerous if some client ever renders it as HTML/SVG
# (polyglots: a valid image that is also a web page).
_MARKUP = re.compile(rb"<(?:html|script|svg|!doctype|iframe|body|object|embed|\?php)[\s>/]", re.IGNORECASE)
# Stored untranslated (a msgid) on a rejected diagnosis; translated when shown.
MSG_DAMAGED = gettext_noop("The image file is damaged or incomplete. Please take or choose the photo again.")


def max_upload_bytes() -> int:
    return settings.DIAGNOSIS_MAX_UPLOAD_BYTES


def max_pixels() -> int:
    return settings.DIAGNOSIS_MAX_PIXELS


def min_side() -> int:
    return settings.DIAGNOSIS_MIN_SIDE


def stored_max_side() -> int:
    return settings.DIAGNOSIS_STORED_MAX_SIDE


@dataclass(frozen=True)
class UploadInfo:
    """An upload whose header passed every check; its pixels are not decoded yet."""

    data: bytes
    source_format: str
    width: int  # as stored, before orientation
    height: int
    orientation: int


def _reject(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def damaged() -> ValidationError:
    return _reject(_(MSG_DAMAGED), "corrupt")


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


def orientation_of(img: Image.Image) -> int:
    """The EXIF orientation tag from the header (1 when absent or unreadable); never decodes
    (``Image.getexif`` would load a PNG whose EXIF chunk follows its pixels)."""
    raw = img.info.get("exif")
    if not raw:
        return 1
    try:
        exif = Image.Exif()
        exif.load(raw)
        value = int(exif.get(0x0112, 1))
    except (OSError, ValueError, SyntaxError, TypeError, struct.error):
        return 1
    return value if 1 <= value <= 8 else 1


def check_header(img: Image.Image, data: bytes) -> tuple[str, int, int]:
    """Format, stored width and height of an opened (not loaded) image, or ValidationError."""
    fmt = (img.format or "").upper()
    if fmt not in ACCEPTED_FORMATS:
        raise _reject(
            _("This file type is not supported. Please upload a JPEG, PNG, WebP or HEIC photo."), "format"
        )
    width, height = img.size
    pixel_limit = max_pixels()
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
    if fmt not in ("HEIF", "HEIC", "MPO") and getattr(img, "n_frames", 1) > 1:
        raise _reject(_("Animated images are not accepted. Please upload a single still photo."), "animated")
    return fmt, width, height


def open_header(data: bytes) -> Image.Image:
    """``Image.open`` (header only) with Pillow's bomb warning as an error; ValidationError if
    the bytes are no image we can read."""
    canvas = webp_canvas_size(data)  # Pillow allocates a WebP's whole canvas when opening it
    if canvas and canvas[0] * canvas[1] > min(max_pixels(), max_full_decode_pixels()):
        raise _too_large(*canvas)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
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
        raise damaged() from None


def inspect_upload(upload: UploadedFile | io.IOBase, crop: CropBox | None = None) -> UploadInfo:
    """Check an upload (and the patient's frame, if given) from its header; raise ValidationError."""
    data = _read_limited(upload, max_upload_bytes())
    if not data:
        raise _reject(_("The file is empty. Please choose a photo."), "empty")
    if _MARKUP.search(data):
        raise _reject(
            _("This file contains web page or script content and is not accepted as a photo."), "markup"
        )
    img = open_header(data)
    try:
        fmt, width, height = check_header(img, data)
        orientation = orientation_of(img)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise damaged() from None
    finally:
        img.close()
    if crop is not None:
        check_crop(crop, displayed_size(width, height, orientation), min_side())
    return UploadInfo(data=data, source_format=fmt, width=width, height=height, orientation=orientation)
