"""The one model definition: torchvision MobileNetV2 with a new 7-class head (needs torch)."""

from __future__ import annotations

from pathlib import Path

import torch
import torchvision
from torch import nn

from ml.constants import CLASS_CODES


def build_model(num_classes: int = len(CLASS_CODES), dropout: float = 0.2) -> nn.Module:
    """MobileNetV2 built with ``weights=None`` (no hub download ever), new linear head."""
    model = torchvision.models.mobilenet_v2(weights=None)
    in_features = model.classifier[-1].in_features
    model.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(in_features, num_classes))
    return model


def load_imagenet_backbone(model: nn.Module, path: str | Path) -> None:
    """Load ImageNet weights from a local state dict into everything but the head."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("classifier.") for k in missing):
        raise ValueError(f"ImageNet weights do not fit MobileNetV2: {missing=} {unexpected=}")


class FeaturesAndLogits(nn.Module):  # type: ignore[misc]  # torch: not analysed (pyproject)
    """Export wrapper: returns (logits, last-block feature maps) for closed-form Grad-CAM."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.features = model.features
        self.classifier = model.classifier

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fmap = self.features(x)
        pooled = fmap.mean(dim=(2, 3))
        return self.classifier(pooled), fmap
