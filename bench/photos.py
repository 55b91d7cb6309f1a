"""Synthetic but realistic phone photos for the benchmarks (numpy + Pillow only).

A 12-megapixel JPEG (4000 x 3000, quality 90) of "skin": smooth lighting gradients,
sensor noise, a darker irregular blob for the lesion, stored sideways with an EXIF
Orientation tag (6 = rotate 90 degrees clockwise to display), as phones do. Noise keeps
the file size and the entropy decoder's work close to a real photo (~3-5 MB), unlike a
flat test card that would decode unrealistically fast.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 4000, 3000
QUALITY = 90
ORIENTATION_TAG = 0x0112


def make_photo(seed: int, *, width: int = WIDTH, height: int = HEIGHT, orientation: int = 6) -> bytes:
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


def make_photo_from_lesion(
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


def photo_set(count: int, cache_dir: Path, data_dir: Path | None = None) -> list[bytes]:
    """``count`` photos, generated once and cached on disk (generation costs ~1 s each).

    Built on real lesions when ``data_dir`` (HAM10000 layout) is available, else pure
    synthetic blobs.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    sources = lesion_sources(data_dir)
    photos = []
    for seed in range(count):
        if sources:
            source = sources[seed % len(sources)]
            path = cache_dir / f"lesion-{source.stem}-{seed}-{WIDTH}x{HEIGHT}-q{QUALITY}.jpg"
        else:
            source = None
            path = cache_dir / f"photo-{seed}-{WIDTH}x{HEIGHT}-q{QUALITY}.jpg"
        if not path.exists():
            data = make_photo_from_lesion(source, seed) if source else make_photo(seed)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        photos.append(path.read_bytes())
    digest = hashlib.sha256(b"".join(photos)).hexdigest()[:12]
    logger.info("%d photos (%s), %.1f MB each", count, digest, len(photos[0]) / 1e6)
    return photos
