"""The decision-rule choices ml.export makes on val, checked on synthetic logits."""

from __future__ import annotations

import numpy as np
import pytest

from ml.constants import CLASS_CODES
from ml.export import MEL_SENSITIVITY_TARGET, choose_decision_rule, choose_mel_threshold
from ml.metrics import softmax
from ml.predictor import decide_batch

MEL = CLASS_CODES.index("mel")
NV = CLASS_CODES.index("nv")
COUNTS = {"akiec": 20, "bcc": 30, "bkl": 70, "df": 8, "mel": 70, "nv": 400, "vasc": 10}


@pytest.fixture
def data_dir(tmp_path):
    for code, n in COUNTS.items():
        folder = tmp_path / "train" / code
        folder.mkdir(parents=True)
        for i in range(n):
            (folder / f"{i}.jpg").touch()
    return tmp_path


def _logits_that_undercall_melanoma(seed=0, n_per_class=40):
    """A model biased towards nv: true melanomas often get nv as the top class."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASS_CODES)), n_per_class)
    logits = rng.normal(0, 1, (len(labels), len(CLASS_CODES)))
    logits[np.arange(len(labels)), labels] += 2.0
    logits[:, NV] += 1.5
    return logits.astype(np.float32), labels


def test_no_melanoma_threshold_when_argmax_already_meets_the_target():
    labels = np.repeat(np.arange(len(CLASS_CODES)), 10)
    probs = np.eye(len(CLASS_CODES))[labels] * 0.9 + 0.1 / len(CLASS_CODES)
    assert choose_mel_threshold(probs, labels) is None


def test_melanoma_threshold_reaches_the_sensitivity_target():
    logits, labels = _logits_that_undercall_melanoma()
    probs = softmax(logits)
    assert (probs[labels == MEL].argmax(axis=1) == MEL).mean() < MEL_SENSITIVITY_TARGET
    threshold = choose_mel_threshold(probs, labels)
    assert threshold is not None
    preds = decide_batch(probs, {"mel_threshold": threshold})
    assert (preds[labels == MEL] == MEL).mean() >= MEL_SENSITIVITY_TARGET


def test_decision_rule_is_chosen_jointly_and_keeps_melanoma_sensitivity(data_dir):
    logits, labels = _logits_that_undercall_melanoma()
    rule = choose_decision_rule(logits, labels, {"sampling_power": 0.5}, data_dir)
    assert rule["tau"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert rule["temperature"] > 0
    probs = softmax(logits + rule["bias"], rule["temperature"])
    preds = decide_batch(probs, {"mel_threshold": rule["mel_threshold"]})
    assert (preds[labels == MEL] == MEL).mean() >= MEL_SENSITIVITY_TARGET
    # The adjustment undoes the nv bias, so some tau > 0 beats the model as trained.
    assert rule["tau"] > 0


@pytest.mark.parametrize("seed", range(10))
def test_urgent_threshold_keeps_the_malignant_sensitivity_target_after_rounding(seed):
    from ml.constants import MALIGNANT_CODES
    from ml.export import MALIGNANT_SENSITIVITY_TARGET, choose_urgent_threshold

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASS_CODES), 500)
    probs = softmax(rng.normal(0, 2, (500, len(CLASS_CODES))))
    threshold = choose_urgent_threshold(probs, labels)
    idx = [CLASS_CODES.index(c) for c in MALIGNANT_CODES]
    malignant = np.isin(labels, idx)
    assert (probs[malignant][:, idx].sum(axis=1) >= threshold).mean() >= MALIGNANT_SENSITIVITY_TARGET


def test_head_refit_balances_the_classes_and_keeps_float16_weights():
    import torch

    from ml.export import refit_head
    from ml.model import build_model

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    counts = np.array([20, 30, 70, 8, 70, 400, 10])
    labels = np.repeat(np.arange(len(CLASS_CODES)), counts)
    centres = rng.normal(0, 1, (len(CLASS_CODES), 1280))
    feats = (centres[labels] + rng.normal(0, 3, (len(labels), 1280))).astype(np.float32)
    model = build_model().eval()
    head = model.classifier[-1]
    with torch.no_grad():  # a head that always says nv, like an imbalanced training run
        head.weight.zero_()
        head.bias.copy_(torch.tensor([0, 0, 0, 0, 0, 5.0, 0]))
    info = refit_head(model, feats, labels, l2=0.01)
    assert info["l2"] == 0.01
    with torch.no_grad():
        logits = torch.from_numpy(feats) @ head.weight.T + head.bias
    recall = [(logits.argmax(1).numpy()[labels == c] == c).mean() for c in range(len(CLASS_CODES))]
    assert min(recall) > 0.5  # every class is found, not just nv
    assert torch.equal(head.weight, head.weight.half().float())
