"""Grad-CAM in closed form (numpy only).

MobileNetV2 ends in global average pooling followed by one linear layer, so for class c

    y_c = sum_k W[c, k] * mean_ij A_k[i, j] + b_c   =>   dy_c / dA_k[i, j] = W[c, k] / (H * W)

Grad-CAM's channel weights (the spatial mean of those gradients) are therefore exactly
W[c, k] / (H * W), and the map is ReLU(sum_k alpha_k A_k): no backward pass is needed.
``ml/tests/test_gradcam.py`` checks this against autograd on the shipped model.
"""

from __future__ import annotations

import numpy as np


def gradcam_raw(features: np.ndarray, head_weight: np.ndarray, class_index: int) -> np.ndarray:
    """features: (K, H, W) last-block activations; head_weight: (classes, K). Returns (H, W)."""
    _k, h, w = features.shape
    alpha = head_weight[class_index] / float(h * w)
    cam = np.tensordot(alpha, features, axes=(0, 0))
    return np.maximum(cam, 0.0).astype(np.float32)


def normalize_cam(cam: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] (all-zero maps stay zero)."""
    top = float(cam.max())
    return (cam / top).astype(np.float32) if top > 0 else np.zeros_like(cam, dtype=np.float32)
