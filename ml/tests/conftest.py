from __future__ import annotations

import pytest
from PIL import Image

from ml.synthetic import lesion_image
from ml.tests.support import SHARED_DATA


@pytest.fixture
def sample_images() -> list[Image.Image]:
    """Real val lesions when the dataset is here, synthetic lesion-like images otherwise."""
    if (SHARED_DATA / "val").is_dir():
        paths = sorted((SHARED_DATA / "val").glob("*/*.jpg"))[::300][:5]
        return [Image.open(p).convert("RGB") for p in paths]
    return [lesion_image(i) for i in range(5)]
