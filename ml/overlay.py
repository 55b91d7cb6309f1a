"""Heat-map overlay rendering (numpy + Pillow): PNG bytes of the map blended over the photo.

The colour map runs from transparent-ish deep blue through teal and yellow to white-hot; weak
activations are mostly transparent so the lesion stays visible, and the bright end keeps enough
contrast on both light and dark page backgrounds.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# Anchor colours (a perceptually ordered, colour-blind friendly ramp similar to "turbo"/"inferno").
_ANCHORS = np.array(
    [
        [48, 18, 59],
        [50, 110, 220],
        [30, 190, 170],
        [160, 230, 60],
        [250, 190, 40],
        [230, 60, 20],
    ],
    dtype=np.float32,
)


def _colour_lut() -> np.ndarray:
    x = np.linspace(0, len(_ANCHORS) - 1, 256)
    lo = np.floor(x).astype(int).clip(0, len(_ANCHORS) - 2)
    t = (x - lo)[:, None]
    lut: np.ndarray = ((1 - t) * _ANCHORS[lo] + t * _ANCHORS[lo + 1]).astype(np.uint8)
    return lut


LUT = _colour_lut()


def heatmap_rgba(cam: np.ndarray, size: tuple[int, int], max_alpha: float = 0.75) -> Image.Image:
    """cam (h, w) in [0, 1] -> RGBA image of ``size`` (width, height), alpha growing with heat."""
    small = Image.fromarray(np.clip(cam * 255.0, 0, 255).astype(np.uint8), mode="L")
    heat = np.asarray(small.resize(size, Image.Resampling.BICUBIC))
    rgba = np.empty((size[1], size[0], 4), dtype=np.uint8)
    rgba[..., :3] = LUT[heat]
    rgba[..., 3] = (np.sqrt(heat / 255.0) * 255.0 * max_alpha).astype(np.uint8)
    return Image.fromarray(rgba, mode="RGBA")


def render_overlay(
    image: Image.Image,
    cam: np.ndarray,
    alpha: float = 0.75,
    max_side: int = 640,
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
) -> bytes:
    """Blend the heat map over ``image`` and return PNG bytes (fast, low compression).

    ``box`` is the part of the photo the model saw, as fractions (left, top, right, bottom):
    the map is drawn there only (a centre-cropping model does not see a wide photo's sides).
    """
    photo = image.convert("RGB")
    if max(photo.size) > max_side:
        photo.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    blended = photo.convert("RGBA")
    w, h = photo.size
    left, top, right, bottom = (round(f * s) for f, s in zip(box, (w, h, w, h), strict=True))
    size = (max(right - left, 1), max(bottom - top, 1))
    blended.alpha_composite(heatmap_rgba(cam, size, max_alpha=alpha), dest=(left, top))
    buffer = io.BytesIO()
    blended.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
