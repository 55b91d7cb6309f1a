from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ml.overlay import render_overlay


def test_overlay_is_png_of_the_photo_size_and_heat_shows_where_the_cam_is():
    photo = Image.new("RGB", (400, 300), (128, 128, 128))
    cam = np.zeros((4, 5), dtype=np.float32)
    cam[0, 4] = 1.0  # hot top-right corner
    png = render_overlay(photo, cam)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert out.shape == (300, 400, 3)
    grey = np.array([128, 128, 128])
    assert np.abs(out[10, 390] - grey).sum() > 100  # coloured where the CAM is hot
    assert np.abs(out[290, 10] - grey).sum() < 30  # photo left as is where it is cold


def test_large_photos_are_rendered_at_display_size():
    png = render_overlay(Image.new("RGB", (4000, 3000)), np.ones((4, 5), dtype=np.float32))
    assert max(Image.open(io.BytesIO(png)).size) == 640


def test_heat_is_drawn_only_over_the_part_of_the_photo_the_model_saw():
    photo = Image.new("RGB", (400, 300), (128, 128, 128))
    png = render_overlay(photo, np.ones((4, 4), dtype=np.float32), box=(0.125, 0.0, 0.875, 1.0))
    out = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    grey = np.array([128, 128, 128])
    assert np.abs(out[150, 200] - grey).sum() > 100  # inside the centre square: coloured
    assert np.abs(out[150, 20] - grey).sum() == 0 and np.abs(out[150, 380] - grey).sum() == 0
