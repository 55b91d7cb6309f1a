from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from ml.imaging import load_image
from ml.predictor import default_model_dir
from ml.preprocess import IMAGENET_MEAN, IMAGENET_STD, Preprocessing
from ml.tests.support import needs_model


def test_preprocessing_produces_normalised_chw_float32():
    pre = Preprocessing(width=160, height=120)
    out = pre(Image.new("RGB", (4000, 3000), (124, 116, 104)))
    assert out.shape == (3, 120, 160)
    assert out.dtype == np.float32
    # ImageNet mean colour maps to ~0 after normalisation.
    assert np.abs(out).max() < 0.02


def test_preprocessing_round_trips_through_metadata_dict():
    pre = Preprocessing(width=96, height=72)
    assert Preprocessing.from_dict(json.loads(json.dumps(pre.to_dict()))) == pre
    assert pre.mean == IMAGENET_MEAN and pre.std == IMAGENET_STD


@needs_model
def test_shipped_model_metadata_holds_the_training_preprocessing():
    meta = json.loads((default_model_dir() / "metadata.json").read_text())
    recipe = meta["training"]["recipe"]["preprocessing"]
    assert Preprocessing.from_dict(meta["preprocessing"]) == Preprocessing.from_dict(recipe)


def test_load_image_applies_exif_orientation_and_drafts_large_jpegs(tmp_path):
    image = Image.new("RGB", (4000, 3000), (200, 10, 10))
    image.paste((10, 10, 200), (0, 0, 2000, 3000))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    path = tmp_path / "photo.jpg"
    image.save(path, exif=exif, quality=90)
    loaded = load_image(path)
    # Drafted (scaled down by the JPEG decoder) and rotated to portrait.
    assert loaded.width < loaded.height
    assert max(loaded.size) <= 1000
    # After a clockwise rotation the former left half (blue) is on top.
    top = np.asarray(loaded)[5, loaded.width // 2]
    assert top[2] > 150 and top[0] < 100


def test_centre_crop_keeps_the_aspect_ratio_of_square_and_wide_photos():
    from ml.preprocess import Preprocessing

    square_model = Preprocessing(width=64, height=64, resize="centre-crop")
    assert square_model.crop_box((400, 300)) == (50, 0, 350, 300)  # 4:3 loses its sides
    assert square_model.crop_box((300, 400)) == (0, 50, 300, 350)
    wide_model = Preprocessing(width=64, height=48, resize="centre-crop")
    assert wide_model.crop_box((300, 300)) == (0, 37, 300, 262)  # a square photo is not squashed
    # A square photo with a red left half and a blue right half stays split down the middle.
    image = Image.new("RGB", (300, 300), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 150, 300))
    out = square_model.resize_image(image)
    assert out.size == (64, 64)
    assert out.getpixel((10, 32))[0] > 200 and out.getpixel((54, 32))[2] > 200


def test_unknown_resize_mode_is_refused():
    from ml.preprocess import Preprocessing

    with pytest.raises(ValueError, match="resize mode"):
        Preprocessing(width=64, height=64, resize="stretch")
