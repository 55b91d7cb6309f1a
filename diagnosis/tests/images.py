"""Test images generated in code (the validation corpus and lesion-like photos)."""

from __future__ import annotations

import io
import math
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ml.synthetic import lesion_image

# ../shared beside the repository (as in CI); absent on a machine without the data set.
HAM_VAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ham10000" / "val"


def encode(img: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **params)
    return out.getvalue()


def skin_photo(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """A flat test card: skin colour with a dark round spot, for file-format and framing tests
    (exact colours, tiny files). Lesion-like photos come from ``ml.synthetic``."""
    img = Image.new("RGB", size, (222, 178, 150))
    draw = ImageDraw.Draw(img)
    w, h = size
    r = min(w, h) // 5
    draw.ellipse((w // 2 - r, h // 2 - r, w // 2 + r, h // 2 + r), fill=(95, 60, 45))
    return img


def jpeg(size: tuple[int, int] = (400, 300), **params: object) -> bytes:
    return encode(skin_photo(size), "JPEG", quality=90, **params)


def lesion_image_path() -> Path | None:
    """A real dermoscopic validation image (nv) if the shared data set is present."""
    for code in ("nv", "mel", "bkl"):
        folder = HAM_VAL / code
        if folder.is_dir():
            files = sorted(folder.glob("*.jpg"))
            if files:
                return files[0]
    return None


def lesion_jpeg() -> bytes:
    path = lesion_image_path()
    return path.read_bytes() if path else encode(lesion_image(0, (400, 300)), "JPEG", quality=90)


def jpeg_with_gps(orientation: int = 6) -> bytes:
    """A JPEG carrying GPS coordinates, a camera model, a comment and an orientation tag."""
    img = skin_photo((300, 200))
    exif = Image.Exif()
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90° clockwise to display
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps
    return encode(img, "JPEG", exif=exif.tobytes(), comment=b"secret comment")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims huge dimensions (decompression-bomb shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def animated_gif() -> bytes:
    frames = [Image.new("P", (120, 120), i * 40) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def animated_png() -> bytes:
    frames = [skin_photo((120, 120)), Image.new("RGB", (120, 120), (0, 0, 0))]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (200, 160), (0, 128, 255, 0)), "JPEG")


def png_16bit() -> bytes:
    img = Image.fromarray(np.full((160, 200), 40000, dtype=np.uint16))
    assert img.mode == "I;16"
    return encode(img, "PNG")


def palette_transparent_png() -> bytes:
    img = Image.new("P", (200, 160), 0)
    img.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    ImageDraw.Draw(img).rectangle((50, 40, 150, 120), fill=1)
    return encode(img, "PNG", transparency=0)


def rgba_png() -> bytes:
    img = Image.new("RGBA", (200, 160), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((50, 40, 150, 120), fill=(120, 60, 40, 255))
    return encode(img, "PNG")


def png_streamed(
    width: int, height: int, *, color_type: int = 2, bit_depth: int = 8, plte: bytes = b""
) -> bytes:
    """A big, flat PNG made without ever holding its pixels (fast, a few MB of memory).

    The probes of the bad-input corpus: a 125 KB 16-bit 8000x8000 PNG that a naive decoder
    turns into gigabytes. ``color_type`` as in the PNG header: 0 grey, 2 RGB, 3 palette,
    4 grey+alpha, 6 RGBA. Every sample is 0x80 (mid grey; half transparent). One band of rows
    is deflated once, with a full flush so it needs no history, and repeated.
    """
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row = b"\x00" + bytes([0x00 if color_type == 3 else 0x80]) * math.ceil(width * channels * bit_depth / 8)

    def deflated(rows: int) -> bytes:  # raw deflate blocks of `rows` rows, no zlib header
        compressor = zlib.compressobj(9)
        return (compressor.compress(row * rows) + compressor.flush(zlib.Z_FULL_FLUSH))[2:]

    band = 64
    full, rest = divmod(height, band)
    adler = 1
    for _ in range(full):
        adler = zlib.adler32(row * band, adler)
    adler = zlib.adler32(row * rest, adler)
    stream = b"\x78\xda" + deflated(band) * full + (deflated(rest) if rest else b"")
    stream += b"\x03\x00" + struct.pack(">I", adler)  # final empty block, then the checksum

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    palette = chunk(b"PLTE", plte or b"\x00\x00\x00\xc8\x1e\x1e") + chunk(b"tRNS", b"\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + (palette if color_type == 3 else b"")
        + chunk(b"IDAT", stream)
        + chunk(b"IEND", b"")
    )
