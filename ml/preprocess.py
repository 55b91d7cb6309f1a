"""The one preprocessing definition, shared by training, evaluation and serving.

Its constants live in the model's ``metadata.json`` (``preprocessing`` key) so a model and
the transform it was trained with cannot drift apart. Only numpy and Pillow are needed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """Resize the whole photo to ``width`` x ``height`` (4:3, like HAM10000's 200x150)."""

    width: int = 160
    height: int = 120
    resize: str = "bilinear-full-frame"
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessing:
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            resize=str(data["resize"]),
            mean=tuple(float(v) for v in data["mean"]),
            std=tuple(float(v) for v in data["std"]),
        )

    def to_dict(self) -> dict:
        return asdict(self)

    def resize_image(self, image: Image.Image) -> Image.Image:
        image = image.convert("RGB")
        if image.size != (self.width, self.height):
            # reducing_gap makes large downscales cheap (box pre-reduction, then bilinear).
            image = image.resize((self.width, self.height), Image.Resampling.BILINEAR, reducing_gap=2.0)
        return image

    def normalize(self, image: Image.Image) -> np.ndarray:
        """RGB image already at model size -> float32 CHW array, normalised."""
        array = np.asarray(image, dtype=np.float32) * (1.0 / 255.0)
        array = (array - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.std, dtype=np.float32)
        return np.ascontiguousarray(array.transpose(2, 0, 1))

    def __call__(self, image: Image.Image) -> np.ndarray:
        return self.normalize(self.resize_image(image))
