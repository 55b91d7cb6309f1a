"""Photo-quality gate run before the model's own out-of-distribution score (numpy only).

Two failure modes that feature-space distances can miss are caught from pixel statistics at
model resolution: an image with almost no detail (a flat colour, lens cap, blank wall) and
pixel noise (a covered sensor in the dark). Thresholds sit well outside every HAM10000 image:
luminance std >= 5.2 and neighbour-difference ratio <= 0.37 over all 8,521 train+val images.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

MIN_LUMA_STD = 3.0  # 0-255 scale
MAX_NOISE_RATIO = 0.6  # mean |neighbour difference| / std; ~1.1 for white noise


def quality_problem(model_input: Image.Image) -> str | None:
    """None if usable, else a short reason code: "no_detail" or "noise"."""
    luma = np.asarray(model_input.convert("L"), dtype=np.float32)
    std = float(luma.std())
    if std < MIN_LUMA_STD:
        return "no_detail"
    dx = np.abs(np.diff(luma, axis=1)).mean()
    dy = np.abs(np.diff(luma, axis=0)).mean()
    if (dx + dy) / 2.0 / std > MAX_NOISE_RATIO:
        return "noise"
    return None
