"""Cheap, safe decoding of patient photos (numpy/Pillow only)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps

# Decode JPEGs at a reduced DCT scale when the photo is much larger than what we need:
# a 12-megapixel phone photo decodes at 1/8 scale in a few milliseconds.
DRAFT_TARGET = (320, 320)


def load_image(source: str | Path | BinaryIO, draft_size: tuple[int, int] = DRAFT_TARGET) -> Image.Image:
    """Open a photo, decode it cheaply, apply its EXIF orientation, return RGB."""
    with Image.open(source) as image:
        if image.format == "JPEG":
            # draft() keeps both sides >= the requested size, so quality is not lost.
            image.draft("RGB", draft_size)
        image.load()
        oriented = ImageOps.exif_transpose(image)
        return oriented.convert("RGB")
