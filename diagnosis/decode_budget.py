"""What decoding an upload will cost, known before decoding it (web process; no Pillow decode).

A small file can expand enormously: a 125 KB PNG can hold 8000 x 8000 16-bit pixels. Only JPEG
can be decoded reduced (libjpeg's DCT scaling, ``Image.draft``); every other format, and a JPEG
with more than one scan (progressive), is held at full size in memory before it can be shrunk.
So each upload's peak decoding memory is estimated from its header, and refused above a budget
(``DIAGNOSIS_DECODE_BUDGET_BYTES``), and formats that cannot be decoded reduced have their own,
stricter pixel limit (``DIAGNOSIS_MAX_FULL_DECODE_PIXELS``, which also bounds the CPU time).

The bytes per pixel below are measured peaks (``diagnosis/tests/decode_probe.py``, Pillow 13,
pillow-heif 1.8, 25 MP probes); a multi-band Pillow image takes 4 bytes a pixel whatever its
bands. In practice: PNG and 8-bit HEIC up to 25 MP, WebP and AVIF up to ~12 MP, progressive
JPEG up to ~60 MP (4:2:0) / ~30 MP (4:4:4), baseline JPEG up to DIAGNOSIS_MAX_PIXELS.
"""

from __future__ import annotations

import math
import re

from django.conf import settings
from PIL import Image

# The request limit is 256 MB of peak RSS; the rest is the upload itself (up to 20 MB, which
# some decoders copy) and the small RGB result.
FULL_DECODE_FORMATS = {"PNG", "WEBP", "HEIF", "HEIC", "AVIF"}

# Pillow's storage per pixel, by mode (anything with more than one band: 4 bytes); PNG
# decoding peaks about one byte a pixel above it (measured 4.6 for RGBA, 2.6 for I;16).
_PILLOW_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# WebP: libwebp's canvas, the frame handed to Pillow and Pillow's own image (measured 15.4).
_WEBP_BYTES_PER_PIXEL = 16
# AVIF: measured 9 (8-bit 4:2:0) to 11.3 (with alpha); bit depth and subsampling are not known
# before decoding, so the worst case: 12-bit 4:4:4 planes with alpha.
_AVIF_BYTES_PER_PIXEL = 16
# A progressive JPEG peaks ~10% above its coefficient buffer (the reduced image, libjpeg's own).
_JPEG_BUFFERED_OVERHEAD = 1.1
# In a JPEG entropy-coded segment 0xFF is followed by 0x00 (stuffing) or a restart marker;
# anything else is the next marker.
_NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7])")


def decode_budget_bytes() -> int:
    return settings.DIAGNOSIS_DECODE_BUDGET_BYTES


def max_full_decode_pixels() -> int:
    return settings.DIAGNOSIS_MAX_FULL_DECODE_PIXELS


def webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """A WebP's canvas size from its header; Pillow allocates that canvas on ``Image.open``."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    kind = data[12:16]
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if kind == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def jpeg_scan_count(data: bytes, stop_at: int = 2) -> int:
    """How many scans (SOS markers) the first image of a JPEG has, counting up to ``stop_at``.

    One scan decodes as a stream (draft-scaled, a few rows at a time); more than one
    (progressive, or components sent separately) makes libjpeg buffer every DCT coefficient
    of the whole image first, whatever the output scale.
    """
    pos, scans, end = 2, 0, len(data)
    while pos + 4 <= end and scans < stop_at:
        if data[pos] != 0xFF:
            break  # not a marker where one must be: damaged, the decoder will say so
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip its entropy-coded data
            scans += 1
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                break
            pos = found.start()
    return scans


def jpeg_coefficient_bytes(img: Image.Image) -> int:
    """The whole-image DCT coefficient buffer of a JPEG: 64 16-bit values per 8x8 block."""
    layers = getattr(img, "layers", None)
    sampling = getattr(img, "layer", None) or []
    width, height = img.size
    if not sampling:  # [(id, h, v, table)] per component; absent -> assume 4:4:4
        sampling = [("", 1, 1, 0)] * (layers if isinstance(layers, int) else 3)
    h_max = max(1, *(max(1, s[1]) for s in sampling))
    v_max = max(1, *(max(1, s[2]) for s in sampling))
    mcu_x, mcu_y = math.ceil(width / (8 * h_max)), math.ceil(height / (8 * v_max))
    blocks = sum(mcu_x * max(1, s[1]) * mcu_y * max(1, s[2]) for s in sampling)
    return blocks * 64 * 2


def _heif_bytes_per_pixel(img: Image.Image) -> float:
    # libheif's interleaved RGB(A) result, with first its Y'CbCr planes, then Pillow's copy of
    # it (measured 7.0 for an 8-bit 4:2:0 photo: 3 + 4).
    deep = int(img.info.get("bit_depth") or 16) > 8
    alpha = img.mode in ("RGBA", "LA") or img.info.get("chroma") is None
    per_chroma: dict[object, float] = {420: 1.5, 422: 2.0, 444: 3.0}
    planes = per_chroma.get(img.info.get("chroma"), 3.0) + (1.0 if alpha else 0.0)
    rgb = 4 if alpha else 3
    return rgb * (2 if deep else 1) + max(planes * (2 if deep else 1), 4)


def decode_bytes(img: Image.Image, fmt: str, data: bytes) -> int:
    """Estimated peak memory of decoding ``img`` (opened, not loaded) before it can be shrunk."""
    width, height = img.size
    pixels = width * height
    if fmt in ("JPEG", "MPO"):
        if jpeg_scan_count(data) > 1:
            return math.ceil(jpeg_coefficient_bytes(img) * _JPEG_BUFFERED_OVERHEAD)
        return 0  # decoded as a stream, at a reduced DCT scale
    if fmt == "PNG":
        return pixels * (_PILLOW_BYTES.get(img.mode, 4) + 1)
    if fmt == "WEBP":
        return pixels * _WEBP_BYTES_PER_PIXEL
    if fmt in ("HEIF", "HEIC"):
        return math.ceil(pixels * _heif_bytes_per_pixel(img))
    if fmt == "AVIF":
        return pixels * _AVIF_BYTES_PER_PIXEL
    return pixels * 4
