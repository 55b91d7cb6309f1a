"""The photo-quality gate names the problem the patient can fix."""

from __future__ import annotations

import pytest
from PIL import Image, ImageEnhance, ImageFilter

from ml.quality import quality_problem
from ml.synthetic import lesion_image


def _lesion():
    return lesion_image(seed=3, size=(176, 176))


def test_an_ordinary_lesion_photo_passes():
    assert quality_problem(_lesion()) is None


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda im: Image.new("RGB", im.size, (128, 128, 128)), "no_detail"),
        (lambda im: ImageEnhance.Brightness(im).enhance(0.15), "too_dark"),
        (lambda im: ImageEnhance.Brightness(im).enhance(1.8), "too_bright"),
        (lambda im: im.filter(ImageFilter.GaussianBlur(6)), "blurry"),
    ],
    ids=["flat", "dark", "washed-out", "out-of-focus"],
)
def test_unusable_photos_are_rejected_with_their_reason(spoil, reason):
    assert quality_problem(spoil(_lesion())) == reason
