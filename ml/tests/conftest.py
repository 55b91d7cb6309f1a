from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml.predictor import default_model_dir

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data" / "ham10000"

needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "val").is_dir(),
    reason="HAM10000 (../shared/data/ham10000) is not present on this machine",
)
needs_model = pytest.mark.skipif(
    not (default_model_dir() / "metadata.json").is_file(),
    reason="the shipped model directory is missing",
)


def lesion_like_image(seed: int = 0, size: tuple[int, int] = (200, 150)) -> Image.Image:
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


@pytest.fixture
def sample_images() -> list[Image.Image]:
    """Real val lesions when the dataset is here, synthetic lesion-like images otherwise."""
    if (SHARED_DATA / "val").is_dir():
        paths = sorted((SHARED_DATA / "val").glob("*/*.jpg"))[::300][:5]
        return [Image.open(p).convert("RGB") for p in paths]
    return [lesion_like_image(i) for i in range(5)]
