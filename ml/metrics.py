"""Classification and calibration metrics in numpy (no sklearn needed)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ml.constants import CLASS_CODES


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    probs: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return probs


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE with equal-width confidence bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


def binary_auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """ROC AUC via the rank statistic (ties get average ranks)."""
    positives = positives.astype(bool)
    n_pos, n_neg = positives.sum(), (~positives).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def classification_metrics(
    labels: np.ndarray, scores: np.ndarray, predictions: np.ndarray | None = None
) -> dict[str, Any]:
    """Metrics over the classes present in ``labels``. ``scores`` are logits or probabilities."""
    labels = np.asarray(labels)
    probs = scores if np.allclose(scores.sum(axis=1), 1.0, atol=1e-3) else softmax(scores)
    preds = probs.argmax(axis=1) if predictions is None else np.asarray(predictions)
    present = sorted(set(labels.tolist()))
    k = len(CLASS_CODES)
    confusion = np.zeros((k, k), dtype=int)
    for t, p in zip(labels, preds, strict=True):
        confusion[t, p] += 1
    per_class, recalls, f1s, aucs = {}, [], [], []
    for c in range(k):
        tp = confusion[c, c]
        support = int(confusion[c].sum())
        predicted = int(confusion[:, c].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if c in present:
            per_class[CLASS_CODES[c]] = {
                "precision": float(precision),
                "recall": float(recall),
                "f1": float(f1),
                "support": support,
            }
            recalls.append(recall)
            f1s.append(f1)
            aucs.append(binary_auc(probs[:, c], labels == c))
    mel = CLASS_CODES.index("mel")
    is_mel, pred_mel = labels == mel, preds == mel
    valid_aucs = [a for a in aucs if not np.isnan(a)]
    return {
        "n_labelled": len(labels),
        "accuracy": float((preds == labels).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "macro_f1": float(np.mean(f1s)),
        "macro_auc": float(np.mean(valid_aucs)) if valid_aucs else None,
        "ece": expected_calibration_error(probs, labels),
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
        "mel_sensitivity": float(pred_mel[is_mel].mean()) if is_mel.any() else None,
        "mel_specificity": float((~pred_mel[~is_mel]).mean()) if (~is_mel).any() else None,
    }
