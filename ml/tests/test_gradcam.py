"""The closed-form Grad-CAM equals autograd Grad-CAM on the shipped model; export parity."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ml.gradcam import gradcam_raw, normalize_cam
from ml.model import build_model
from ml.predictor import default_model_dir, get_predictor
from ml.tests.support import needs_model

pytestmark = needs_model


@pytest.fixture(scope="module")
def eager_model():
    model = build_model()
    state = torch.load(default_model_dir() / "weights.pt", map_location="cpu", weights_only=True)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


def autograd_gradcam(model, tensor: np.ndarray, class_index: int) -> np.ndarray:
    """Textbook Grad-CAM with hooks on the last convolutional block (features[-1])."""
    store = {}
    layer = model.features[-1]
    fwd = layer.register_forward_hook(lambda m, i, o: store.__setitem__("act", o))
    bwd = layer.register_full_backward_hook(lambda m, gi, go: store.__setitem__("grad", go[0]))
    try:
        x = torch.from_numpy(tensor[None]).requires_grad_(True)
        model.zero_grad()
        model(x)[0, class_index].backward()
    finally:
        fwd.remove()
        bwd.remove()
    act, grad = store["act"][0].detach(), store["grad"][0].detach()
    weights = grad.mean(dim=(1, 2))
    return torch.relu((weights[:, None, None] * act).sum(0)).numpy()


@pytest.mark.slow
def test_closed_form_gradcam_matches_autograd(eager_model, sample_images):
    predictor = get_predictor()
    for image in sample_images:
        tensor = predictor.preprocessing(image)
        _, features = predictor.run(tensor[None])
        for class_index in range(7):
            expected = autograd_gradcam(eager_model, tensor, class_index)
            ours = gradcam_raw(features[0], predictor.head_weight, class_index)
            assert np.abs(ours - expected).max() <= 1e-4
            assert np.abs(normalize_cam(ours) - normalize_cam(expected)).max() <= 1e-4


def test_onnx_export_matches_eager_pytorch(eager_model, sample_images):
    predictor = get_predictor()
    batch = np.stack([predictor.preprocessing(im) for im in sample_images])
    logits, _ = predictor.run(batch)
    with torch.no_grad():
        eager = eager_model(torch.from_numpy(batch)).numpy()
    t = predictor.temperature
    ours = torch.softmax(torch.from_numpy(logits) / t, 1).numpy()
    theirs = torch.softmax(torch.from_numpy(eager) / t, 1).numpy()
    assert np.abs(ours - theirs).max() <= 1e-4
