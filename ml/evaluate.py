"""Evaluate a model on a folder of images.

    python -m ml.evaluate --data DIR --out OUTDIR [--masks MASKDIR] [--model DIR] [--answers CSV]

DIR is an ImageFolder (``<class code>/<image>``, any subset of the classes) or a flat folder of
images (labels unknown). ``--answers`` is a HAM10000 or PAD-UFES-20 ``metadata.csv``: its rows are
matched to images by file stem and passed to the model as the patient's answers (unmatched images
are evaluated without answers). Writes ``OUTDIR/predictions.csv`` and ``OUTDIR/metrics.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml.answers import Answers, read_metadata
from ml.constants import CLASS_CODES, MALIGNANT_CODES
from ml.data import list_images
from ml.gradcam import gradcam_raw, normalize_cam
from ml.imaging import load_image
from ml.metrics import classification_metrics
from ml.predictor import Predictor, decide_batch, get_predictor

log = logging.getLogger("ml.evaluate")
CSV_COLUMNS = [
    "path",
    "true_label",
    "pred_label",
    *[f"prob_{c}" for c in CLASS_CODES],
    "ood_score",
    "ood_flag",
    "risk_tier",
    "domain",
]


POINTING_TOLERANCE_PX = 15  # the pointing game's standard tolerance (Zhang et al., ECCV 2016)


def pointing_hit(cam: np.ndarray, mask: np.ndarray, tolerance: int = POINTING_TOLERANCE_PX) -> bool:
    """Is the CAM's maximum (upsampled to the mask's size) within ``tolerance`` px of the lesion?"""
    h, w = mask.shape
    heat = np.asarray(Image.fromarray((cam * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC))
    y, x = np.unravel_index(int(np.argmax(heat)), heat.shape)
    if tolerance <= 0:
        return bool(mask[y, x])
    ys, xs = np.nonzero(mask)
    return bool(len(ys)) and bool(((ys - y) ** 2 + (xs - x) ** 2).min() <= tolerance**2)


def urgent_metrics(labels: list[str | None], tiers: list[str]) -> dict[str, Any]:
    """Share of malignant (mel, bcc, akiec) images shown as urgent, and of the others not urgent.

    A rejected photo shows no tier: it counts as not urgent (a miss for a malignant lesion)."""
    known = [(lab, t) for lab, t in zip(labels, tiers, strict=True) if lab is not None]
    malignant = [t == "urgent" for lab, t in known if lab in MALIGNANT_CODES]
    benign = [t != "urgent" for lab, t in known if lab not in MALIGNANT_CODES]
    return {
        "urgent_sensitivity": float(np.mean(malignant)) if malignant else None,
        "urgent_specificity": float(np.mean(benign)) if benign else None,
        "n_malignant": len(malignant),
    }


def evaluate(
    predictor: Predictor,
    data: Path,
    masks: Path | None = None,
    answers: dict[str, Answers] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    items = list_images(data)
    answers = answers or {}
    rows, probs, labels, hits, strict_hits, tiers = [], [], [], [], [], []
    for path, label in items:
        result, features = predictor.predict_with_features(load_image(path), answers.get(path.stem))
        if masks is not None and label is not None:
            mask_path = masks / f"{path.stem}_segmentation.png"
            if mask_path.is_file():
                # Pointing game: explain the true class, as the benchmark defines it.
                cam = normalize_cam(gradcam_raw(features, predictor.head_weight, CLASS_CODES.index(label)))
                lesion = np.asarray(Image.open(mask_path).convert("L")) > 127
                hits.append(pointing_hit(cam, lesion))
                strict_hits.append(pointing_hit(cam, lesion, tolerance=0))
        p = [result.probabilities[c] for c in CLASS_CODES]
        probs.append(p)
        labels.append(label)
        tiers.append("" if result.ood_flag else result.risk_tier)  # a rejected photo shows no tier
        rows.append(
            {
                "path": str(path),
                "true_label": label or "",
                "pred_label": result.predicted_class,
                **{f"prob_{c}": f"{v:.6f}" for c, v in zip(CLASS_CODES, p, strict=True)},
                "ood_score": f"{result.ood_score:.6f}",
                "ood_flag": int(result.ood_flag),
                "risk_tier": "" if result.ood_flag else result.risk_tier,
                "domain": result.domain,
            }
        )
    metrics: dict[str, Any] = {
        "n_images": len(rows),
        "ood_flagged_fraction": float(np.mean([r["ood_flag"] for r in rows])) if rows else 0.0,
        "model_version": predictor.version,
        "n_with_answers": sum(p.stem in answers for p, _ in items),
    }
    known = [i for i, lab in enumerate(labels) if lab is not None]
    if known:
        y = np.array([CLASS_CODES.index(labels[i]) for i in known])
        pr = np.array([probs[i] for i in known])
        metrics.update(classification_metrics(y, pr, decide_batch(pr, predictor.decision)))
        metrics.update(urgent_metrics(labels, tiers))
    if masks is not None:
        metrics["pointing_game"] = float(np.mean(hits)) if hits else None
        metrics["pointing_game_strict"] = float(np.mean(strict_hits)) if strict_hits else None
        metrics["pointing_game_tolerance_px"] = POINTING_TOLERANCE_PX
        metrics["pointing_game_n"] = len(hits)
    return rows, metrics


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Evaluate the skin-lesion model on a folder.")
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--masks", type=Path)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--answers", type=Path, help="HAM10000 or PAD-UFES-20 metadata.csv")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    predictor = get_predictor(args.model)
    answers = read_metadata(args.answers) if args.answers else None
    rows, metrics = evaluate(predictor, args.data, args.masks, answers)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "predictions.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    log.info(
        "%d images in %.1fs; balanced accuracy %s",
        metrics["n_images"],
        metrics["seconds"],
        metrics.get("balanced_accuracy"),
    )
    return metrics


if __name__ == "__main__":
    main()
