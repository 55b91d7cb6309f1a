"""Augmentations that imitate a phone camera (Pillow + numpy, used by ``ml.train``).

Phone photos differ from dermatoscope images in focus, motion, compression, exposure, white
balance, framing (more surrounding skin) and viewing angle; each transform below imitates one of
those and is applied at random, so the network sees dermatoscope images "taken with a phone" too.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageFilter


class RandomReflectZoomOut:
    """Zoom out by mirroring the border outwards: the lesion gets smaller inside skin-like texture."""

    def __init__(self, p: float = 0.3, max_pad: float = 0.35) -> None:
        self.p, self.max_pad = p, max_pad

    def __call__(self, image: Image.Image) -> Image.Image:
        if random.random() >= self.p:
            return image
        array = np.asarray(image)
        h, w = array.shape[:2]
        pad_y, pad_x = (int(random.uniform(0.05, self.max_pad) * s) for s in (h, w))
        array = np.pad(array, ((pad_y, pad_y), (pad_x, pad_x), (0, 0)), mode="reflect")
        return Image.fromarray(array)


class RandomWhiteBalance:
    """Per-channel gains (a warm or cold cast) and an exposure gain."""

    def __init__(self, p: float = 0.5, channel: float = 0.12, exposure: float = 0.35) -> None:
        self.p, self.channel, self.exposure = p, channel, exposure

    def __call__(self, image: Image.Image) -> Image.Image:
        if random.random() >= self.p:
            return image
        gains = np.array([random.uniform(1 - self.channel, 1 + self.channel) for _ in range(3)])
        gains *= 2.0 ** random.uniform(-self.exposure, self.exposure)
        array = np.asarray(image, dtype=np.float32) * gains.astype(np.float32)
        return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


class RandomMotionBlur:
    """A short straight-line blur (hand shake): horizontal, vertical or diagonal 5x5 kernel."""

    def __init__(self, p: float = 0.15) -> None:
        self.p = p

    def __call__(self, image: Image.Image) -> Image.Image:
        if random.random() >= self.p:
            return image
        k = np.zeros((5, 5), dtype=np.float32)
        kind = random.randrange(4)
        for i in range(5):
            if kind == 0:
                k[2, i] = 1
            elif kind == 1:
                k[i, 2] = 1
            elif kind == 2:
                k[i, i] = 1
            else:
                k[i, 4 - i] = 1
        return image.filter(ImageFilter.Kernel((5, 5), k.ravel().tolist(), scale=5))


class RandomDefocus:
    """Gaussian defocus blur."""

    def __init__(self, p: float = 0.25, max_radius: float = 1.5) -> None:
        self.p, self.max_radius = p, max_radius

    def __call__(self, image: Image.Image) -> Image.Image:
        if random.random() >= self.p:
            return image
        return image.filter(ImageFilter.GaussianBlur(random.uniform(0.3, self.max_radius)))


class RandomJpeg:
    """Re-compress as JPEG at a random quality (messaging apps, phone gallery exports)."""

    def __init__(self, p: float = 0.3, quality: tuple[int, int] = (35, 95)) -> None:
        self.p, self.quality = p, quality

    def __call__(self, image: Image.Image) -> Image.Image:
        if random.random() >= self.p:
            return image
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=random.randint(*self.quality))
        buffer.seek(0)
        with Image.open(buffer) as decoded:
            return decoded.convert("RGB")
