"""The decision-rule choices ml.export makes on val, checked on synthetic logits."""

from __future__ import annotations

import numpy as np
import pytest

from ml.constants import CLASS_CODES
from ml.heads import MEL_SENSITIVITY_TARGET, choose_mel_threshold
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


@pytest.mark.parametrize("seed", range(10))
def test_urgent_threshold_keeps_the_malignant_sensitivity_target_after_rounding(seed):
    from ml.constants import MALIGNANT_CODES
    from ml.heads import MALIGNANT_SENSITIVITY_TARGET, choose_urgent_threshold

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASS_CODES), 500)
    probs = softmax(rng.normal(0, 2, (500, len(CLASS_CODES))))
    threshold = choose_urgent_threshold(probs, labels)
    idx = [CLASS_CODES.index(c) for c in MALIGNANT_CODES]
    malignant = np.isin(labels, idx)
    assert (probs[malignant][:, idx].sum(axis=1) >= threshold).mean() >= MALIGNANT_SENSITIVITY_TARGET


def _split(labels, domain, rng, centres, noise=3.0):
    from ml.heads import Split

    pooled = (centres[labels] + rng.normal(0, noise, (len(labels), centres.shape[1]))).astype(np.float32)
    pooled += 2.0 * domain  # the two kinds of photo sit apart in feature space
    stems = [f"d{domain}_{i}" for i in range(len(labels))]
    return Split(np.zeros((len(labels), len(CLASS_CODES)), np.float32), pooled, labels, stems, domain)


def test_fused_head_balances_classes_uses_answers_and_keeps_float16_weights():
    import torch

    from ml.answers import Answers
    from ml.heads import fit_fused_head
    from ml.model import build_model

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (len(CLASS_CODES), 1280))
    ham = _split(np.repeat(np.arange(len(CLASS_CODES)), [20, 30, 70, 8, 70, 400, 10]), 0, rng, centres)
    pad = _split(np.repeat([0, 1, 2, 4, 5], [40, 40, 20, 6, 25]), 1, rng, centres, noise=6.0)
    # On phone photos "bleeds" is what tells bcc (index 1) from the rest in this toy set.
    answers = {stem: Answers(bleeds=bool(y == 1)) for stem, y in zip(pad.stems, pad.labels, strict=True)}
    model = build_model().eval()
    head = model.classifier[-1]
    with torch.no_grad():  # a head that always says nv, like an imbalanced training run
        head.weight.zero_()
        head.bias.copy_(torch.tensor([0, 0, 0, 0, 0, 5.0, 0]))
    info = fit_fused_head(model, [ham, pad], answers, l2=0.01)
    assert info["l2"] == 0.01 and info["answer_weight"].shape == (len(CLASS_CODES), 36)
    with torch.no_grad():
        logits = torch.from_numpy(ham.pooled) @ head.weight.T + head.bias
    recall = [(logits.argmax(1).numpy()[ham.labels == c] == c).mean() for c in range(len(CLASS_CODES))]
    assert min(recall) > 0.5  # every class is found, not just nv
    assert torch.equal(head.weight, head.weight.half().float())
    from ml.answers import encode

    bleeds = info["answer_weight"] @ encode(Answers(bleeds=True))
    assert int(np.argmax(bleeds)) == 1  # answering "bleeds" moves the result towards bcc
    assert not (info["answer_weight"] @ encode(Answers())).any()  # no answers: image-only logits


def test_domain_head_tells_the_two_kinds_of_photo_apart():
    from ml.heads import fit_domain_head

    rng = np.random.default_rng(1)
    centres = rng.normal(0, 1, (len(CLASS_CODES), 1280))
    ham = _split(rng.integers(0, 7, 300), 0, rng, centres)
    pad = _split(rng.integers(0, 7, 60), 1, rng, centres)
    weight, bias = fit_domain_head([ham, pad])
    p_phone = lambda s: 1 / (1 + np.exp(-(s.pooled @ weight + bias)))  # noqa: E731
    assert (p_phone(ham) < 0.5).mean() > 0.95 and (p_phone(pad) >= 0.5).mean() > 0.95


def test_drop_answers_removes_whole_groups_only():
    from ml.answers import Answers, encode, group_slices
    from ml.heads import drop_answers

    full = np.stack([encode(Answers(age=40, sex="female", itches=True, raised=False))] * 400)
    dropped = drop_answers(full, np.random.default_rng(0), p_group=0.5, p_all=0.1)
    for sl in group_slices().values():
        block = dropped[:, sl]
        assert all(np.array_equal(row, full[0, sl]) or not row.any() for row in block)
    assert (~dropped.any(axis=1)).mean() > 0.05  # some rows answer nothing at all


def test_urgent_threshold_holds_on_each_kind_of_photo():
    from ml.constants import MALIGNANT_CODES
    from ml.heads import MALIGNANT_SENSITIVITY_TARGET, urgent_threshold_per_domain

    rng = np.random.default_rng(3)
    idx = [CLASS_CODES.index(c) for c in MALIGNANT_CODES]
    probs, labels = [], []
    for shift in (2.0, -1.0):  # the second kind of photo gets much lower malignant scores
        y = rng.integers(0, len(CLASS_CODES), 300)
        logits = rng.normal(0, 1, (300, len(CLASS_CODES)))
        logits[np.isin(y, idx)][:, idx] += shift
        probs.append(softmax(logits))
        labels.append(y)
    threshold = urgent_threshold_per_domain(probs, labels)
    for p, y in zip(probs, labels, strict=True):
        malignant = np.isin(y, idx)
        assert (p[malignant][:, idx].sum(axis=1) >= threshold).mean() >= MALIGNANT_SENSITIVITY_TARGET
