"""Synthetic lesion photos, the one generator shared by the tests, the benchmarks and
``manage.py time_diagnosis`` (numpy + Pillow only; deterministic for a given seed).

- ``lesion_image``: a small skin-toned picture with a darker irregular blob, for tests that
  need "a lesion-like photo" without the dataset;
- ``phone_photo``: a 12-megapixel JPEG (4000 x 3000, quality 90) of "skin" with smooth
  lighting gradients, sensor noise and a darker irregular lesion, stored sideways with an
  EXIF Orientation tag (6 = rotate 90 degrees clockwise to display), as phones do. Noise
  keeps the file size and the entropy decoder's work close to a real photo (~3-5 MB);
- ``phone_photo_from_lesion``: the same recipe around a real (small) dermoscopy image, so
  the model takes the full path (a synthetic blob is, correctly, out of distribution).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def lesion_image(seed: int = 0, size: tuple[int, int] = (200, 150)) -> Image.Image:
    """A skin-toned background with a darker irregular blob, for tests without the dataset."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    skin = np.array([205, 150, 130], dtype=np.float32) + rng.normal(0, 6, (h, w, 3))
    cx, cy = w / 2 + rng.normal(0, 10), h / 2 + rng.normal(0, 8)
    r = np.hypot((xx - cx) / (w * 0.22), (yy - cy) / (h * 0.25))
    blob = np.clip(1.2 - r, 0, 1)[..., None]
    lesion = np.array([110, 60, 45], dtype=np.float32)
    img = skin * (1 - blob) + lesion * blob
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


WIDTH, HEIGHT = 4000, 3000
QUALITY = 90
ORIENTATION_TAG = 0x0112


def phone_photo(seed: int, *, width: int = WIDTH, height: int = HEIGHT, orientation: int = 6) -> bytes:
    """JPEG bytes of one synthetic skin photo; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    # Work at 1/4 size for the smooth parts, upscale, then add full-resolution noise.
    sw, sh = width // 4, height // 4
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy /= sh
    xx /= sw
    skin = np.array([205, 160, 135], dtype=np.float32) + rng.normal(0, 12, 3).astype(np.float32)
    light = 0.8 + 0.25 * np.cos(2.2 * (xx - rng.uniform(0.3, 0.7))) * np.cos(1.7 * (yy - 0.5))
    base = skin[None, None, :] * light[..., None]
    # An irregular lesion: a blob whose radius wobbles with the angle.
    cx, cy = rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65)
    angle = np.arctan2(yy - cy, (xx - cx) * sw / sh)
    radius = 0.12 * (1 + 0.18 * np.sin(3 * angle + rng.uniform(0, 6)) + 0.08 * np.sin(7 * angle))
    dist = np.hypot((xx - cx) * sw / sh, yy - cy) / radius
    inside = np.clip(1.3 - dist, 0, 1)[..., None] ** 0.7
    lesion = np.array([95, 60, 45], dtype=np.float32) + rng.normal(0, 10, 3).astype(np.float32)
    small = base * (1 - inside) + lesion[None, None, :] * inside
    img = Image.fromarray(np.clip(small, 0, 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    pixels = np.asarray(img, dtype=np.int16)
    noise = rng.normal(0, 6, (height, width, 1)).astype(np.int16)  # luminance noise
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    # Store it the way a phone held upright does: pixels sideways + Orientation 6.
    stored = Image.fromarray(pixels).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x0110] = "BenchPhone"  # camera model, stripped by the upload validator
    out = io.BytesIO()
    stored.save(out, format="JPEG", quality=QUALITY, exif=exif.tobytes())
    return out.getvalue()


def phone_photo_from_lesion(
    lesion: Path, seed: int, *, width: int = WIDTH, height: int = HEIGHT, orientation: int = 6
) -> bytes:
    """A 12-MP phone-style photo built around a real (small) dermoscopy image.

    The synthetic blob above is, correctly, flagged out-of-distribution by the model, so
    the product would skip the heat map; photos built on real lesions take the full path.
    Same recipe otherwise: upscale, uneven lighting gradient, sensor noise, EXIF rotation.
    """
    rng = np.random.default_rng(seed)
    with Image.open(lesion) as src:
        img = src.convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
    yy, xx = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    light = 0.92 + 0.1 * np.cos(2.0 * (xx / width - rng.uniform(0.3, 0.7))) * np.cos(yy / height - 0.5)
    light_img = Image.fromarray(np.clip(light * 200, 0, 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    pixels = np.asarray(img, dtype=np.float32) * (np.asarray(light_img, dtype=np.float32)[..., None] / 200)
    pixels += rng.normal(0, 5, (height, width, 1)).astype(np.float32)
    stored = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x0110] = "BenchPhone"
    out = io.BytesIO()
    stored.save(out, format="JPEG", quality=QUALITY, exif=exif.tobytes())
    return out.getvalue()


def lesion_sources(data_dir: Path | None) -> list[Path]:
    """One validation image per class (sorted, so runs are repeatable), if the data is here."""
    if data_dir is None or not (data_dir / "val").is_dir():
        return []
    found = []
    for class_dir in sorted(p for p in (data_dir / "val").iterdir() if p.is_dir()):
        images = sorted(class_dir.glob("*.jpg"))
        if images:
            found.append(images[len(images) // 2])
    return found
