"""Photo-quality gate run before the model's own out-of-distribution score (numpy only).

Failure modes that feature-space distances can miss are caught from pixel statistics at model
resolution, each with a reason the patient can act on:

- ``no_detail``: almost no contrast (a flat colour, lens cap, blank wall);
- ``noise``: pixel noise (a covered sensor in the dark);
- ``too_dark`` / ``too_bright``: under- or over-exposed;
- ``blurry``: almost no fine detail left (out of focus or shaken).

Thresholds sit outside every photo measured of both kinds (every second image of HAM10000 val and
of PAD-UFES-20 train and val at the 176x176 model input: mean luminance >= 45.8, saturated share
<= 0.04, mean |Laplacian| >= 1.2; see MODEL_CARD.md), so they reject only clearly unusable photos; what is
merely unusual is left to the model's out-of-distribution score.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

MIN_LUMA_STD = 3.0  # 0-255 scale
MAX_NOISE_RATIO = 0.6  # mean |neighbour difference| / std; ~1.1 for white noise
MIN_MEAN_LUMA = 38.0  # darker than this: too dark
MAX_MEAN_LUMA = 235.0  # brighter than this on average: washed out
MAX_SATURATED_SHARE = 0.3  # share of pixels at >= 250
MIN_SHARPNESS = 1.0  # mean |4-neighbour Laplacian| on the 0-255 scale


def sharpness(luma: np.ndarray) -> float:
    lap = 4 * luma[1:-1, 1:-1] - luma[:-2, 1:-1] - luma[2:, 1:-1] - luma[1:-1, :-2] - luma[1:-1, 2:]
    return float(np.abs(lap).mean())


def quality_problem(model_input: Image.Image) -> str | None:
    """None if usable, else a short reason code (see the module docstring)."""
    luma = np.asarray(model_input.convert("L"), dtype=np.float32)
    std = float(luma.std())
    if std < MIN_LUMA_STD:
        return "no_detail"
    dx = np.abs(np.diff(luma, axis=1)).mean()
    dy = np.abs(np.diff(luma, axis=0)).mean()
    if (dx + dy) / 2.0 / std > MAX_NOISE_RATIO:
        return "noise"
    mean = float(luma.mean())
    if mean < MIN_MEAN_LUMA:
        return "too_dark"
    if mean > MAX_MEAN_LUMA or float((luma >= 250).mean()) > MAX_SATURATED_SHARE:
        return "too_bright"
    if sharpness(luma) < MIN_SHARPNESS:
        return "blurry"
    return None
