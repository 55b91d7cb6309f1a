"""The one preprocessing definition, shared by training, evaluation and serving.

Its constants live in the model's ``metadata.json`` (``preprocessing`` key) so a model and
the transform it was trained with cannot drift apart. Only numpy and Pillow are needed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RESIZE_MODES = ("centre-crop", "bilinear-full-frame")


@dataclass(frozen=True)
class Preprocessing:
    """Bring a photo to ``width`` x ``height`` model input.

    ``resize`` is one of
    - ``"centre-crop"``: keep the aspect ratio, take the largest centred box of the model's shape
      and scale it (a square phone photo stays square; a 4:3 dermatoscope image loses its sides);
    - ``"bilinear-full-frame"``: squash the whole photo to the model's shape (models before 3.0).
    """

    width: int = 160
    height: int = 120
    resize: str = "bilinear-full-frame"
    mean: tuple[float, ...] = IMAGENET_MEAN  # per channel (R, G, B)
    std: tuple[float, ...] = IMAGENET_STD

    def __post_init__(self) -> None:
        if self.resize not in RESIZE_MODES:
            raise ValueError(f"unknown resize mode {self.resize!r}; expected one of {RESIZE_MODES}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            resize=str(data["resize"]),
            mean=tuple(float(v) for v in data["mean"]),
            std=tuple(float(v) for v in data["std"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def crop_box(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The part of a ``size`` photo the model sees, as (left, top, right, bottom)."""
        w, h = size
        if self.resize == "bilinear-full-frame":
            return (0, 0, w, h)
        target = self.width / self.height
        if w / h > target:  # too wide: trim the sides
            cw = round(h * target)
            left = (w - cw) // 2
            return (left, 0, left + cw, h)
        ch = round(w / target)
        top = (h - ch) // 2
        return (0, top, w, top + ch)

    def resize_image(self, image: Image.Image) -> Image.Image:
        image = image.convert("RGB")
        if image.size != (self.width, self.height):
            # reducing_gap makes large downscales cheap (box pre-reduction, then bilinear).
            image = image.resize(
                (self.width, self.height),
                Image.Resampling.BILINEAR,
                box=self.crop_box(image.size),
                reducing_gap=2.0,
            )
        return image

    def normalize(self, image: Image.Image) -> np.ndarray:
        """RGB image already at model size -> float32 CHW array, normalised."""
        array: np.ndarray = np.asarray(image, dtype=np.float32) * (1.0 / 255.0)
        array = (array - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.std, dtype=np.float32)
        return np.ascontiguousarray(array.transpose(2, 0, 1))

    def __call__(self, image: Image.Image) -> np.ndarray:
        return self.normalize(self.resize_image(image))
