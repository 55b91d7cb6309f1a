"""What training sees: seeding, the train/eval transforms (from the one preprocessing
definition) and the sampler that draws by kind of photo, then by class; plus batched logits."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.transforms import v2 as T

from ml import augment
from ml.constants import CLASS_CODES
from ml.preprocess import Preprocessing


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_transform(pre: Preprocessing) -> T.Compose:
    """Any orientation of a skin spot is valid; phone capture is imitated (see ``ml.augment``)."""
    aspect = pre.width / pre.height
    return T.Compose(
        [
            augment.RandomReflectZoomOut(p=0.25),
            T.RandomResizedCrop(
                (pre.height, pre.width), scale=(0.35, 1.0), ratio=(aspect * 0.8, aspect * 1.25)
            ),
            T.RandomHorizontalFlip(),
            T.RandomVerticalFlip(),
            T.RandomApply([T.RandomRotation(30)], p=0.5),
            T.RandomPerspective(distortion_scale=0.15, p=0.25),
            T.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.03),
            augment.RandomWhiteBalance(p=0.4),
            augment.RandomDefocus(p=0.2),
            augment.RandomMotionBlur(p=0.1),
            augment.RandomJpeg(p=0.3),
            pre.normalize,
            torch.from_numpy,
        ]
    )


def eval_transform(pre: Preprocessing) -> Callable[[Image.Image], torch.Tensor]:
    return lambda image: torch.from_numpy(pre(image))


def balanced_sampler(
    targets: torch.Tensor,
    power: float,
    num_samples: int,
    seed: int,
    domains: torch.Tensor | None = None,
    domain_shares: tuple[float, ...] = (1.0,),
) -> torch.utils.data.WeightedRandomSampler:
    """Domain d gets ``domain_shares[d]`` of the samples; within it, class c is drawn with
    probability proportional to count**power (0 = fully balanced)."""
    domains = torch.zeros_like(targets) if domains is None else domains
    weights = torch.zeros(len(targets), dtype=torch.double)
    for domain, share in enumerate(domain_shares):
        mask = domains == domain
        counts = torch.bincount(targets[mask], minlength=len(CLASS_CODES)).double().clamp(min=1)
        w = (counts.pow(power) / counts)[targets[mask]]
        weights[mask] = share * w / w.sum()
    generator = torch.Generator().manual_seed(seed)
    return torch.utils.data.WeightedRandomSampler(
        weights, num_samples=num_samples, replacement=True, generator=generator
    )


@torch.no_grad()  # type: ignore[untyped-decorator]  # torch: not analysed (pyproject)
def predict_logits(
    model: nn.Module, loader: Iterable[tuple[torch.Tensor, torch.Tensor]]
) -> tuple[np.ndarray, np.ndarray]:
    model.eval()
    logits, labels = [], []
    for x, y in loader:
        logits.append(model(x.contiguous(memory_format=torch.channels_last)))
        labels.append(y)
    return torch.cat(logits).numpy(), torch.cat(labels).numpy()
