"""Dataset helpers for training and evaluation (needs torch for the Dataset classes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image

from ml.constants import CLASS_CODES

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".heic", ".heif"}


def list_images(root: str | Path) -> list[tuple[Path, str | None]]:
    """(path, class code or None) for an ImageFolder (some classes may be absent) or a flat folder."""
    root = Path(root)
    subdirs = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name in CLASS_CODES]
    if subdirs:
        return [
            (p, d.name) for d in subdirs for p in sorted(d.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES
        ]
    return [(p, None) for p in sorted(root.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]


class InMemoryImages:
    """Decoded images kept in memory (HAM10000 at 200x150 is ~600 MB), indexed like a Dataset."""

    def __init__(self, root: str | Path, transform: Callable) -> None:
        import torch

        self.items = list_images(root)
        if any(label is None for _, label in self.items):
            raise ValueError(f"{root} is not an ImageFolder of {CLASS_CODES}")
        self.images = [Image.open(p).convert("RGB") for p, _ in self.items]
        for image in self.images:
            image.load()
        self.targets = torch.tensor([CLASS_CODES.index(c) for _, c in self.items])
        self.transform = transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        return self.transform(self.images[index]), self.targets[index]
