"""Dataset helpers for training and evaluation (needs torch for the Dataset classes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    """Decoded images kept in memory (HAM10000 at 200x150 is ~600 MB), indexed like a Dataset.

    ``roots`` is one ImageFolder or several (one per kind of photo); ``domains[i]`` is the index
    of the folder image ``i`` came from. ``max_side`` shrinks larger photos once, at load time,
    so augmentation stays cheap (phone photos here are up to 512 px).
    """

    def __init__(
        self,
        roots: str | Path | list[Path],
        transform: Callable[[Image.Image], Any],
        max_side: int | None = None,
    ) -> None:
        import torch

        roots = [Path(roots)] if isinstance(roots, str | Path) else [Path(r) for r in roots]
        self.items, domains = [], []
        for domain, root in enumerate(roots):
            items = list_images(root)
            if any(label is None for _, label in items):
                raise ValueError(f"{root} is not an ImageFolder of {CLASS_CODES}")
            self.items += items
            domains += [domain] * len(items)
        self.images = []
        for path, _ in self.items:
            with Image.open(path) as opened:
                image = opened.convert("RGB")
                if max_side and max(image.size) > max_side:
                    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                image.load()
                self.images.append(image)
        self.targets = torch.tensor([CLASS_CODES.index(c) for _, c in self.items])
        self.domains = torch.tensor(domains)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self.transform(self.images[index]), self.targets[index]
