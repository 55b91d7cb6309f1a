"""Step 6 of ``ml.export``: the exported serving path evaluated on each kind of photo's val,
with and without answers; the figures the product quotes (metadata.json "reliability")."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from ml.answers import Answers, read_metadata
from ml.constants import MALIGNANT_CODES
from ml.evaluate import evaluate
from ml.predictor import DOMAINS, Predictor

log = logging.getLogger("ml.export")


def read_answers(roots: list[Path]) -> dict[str, Answers]:
    """The patients' recorded answers of every data set that has a metadata.csv."""
    answers: dict[str, Answers] = {}
    for root in roots:
        if (root / "metadata.csv").is_file():
            answers.update(read_metadata(root / "metadata.csv"))
    return answers


def refresh_figures(args: argparse.Namespace) -> None:
    roots = [args.data] + ([args.phone_data] if args.phone_data else [])
    answers = read_answers(roots)
    path = args.out / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["reliability"], metadata["val_metrics"] = reliability(Predictor(args.out), roots, answers)
    path.write_text(json.dumps(metadata, indent=2))
    log.info("reliability %s", json.dumps(metadata["reliability"], indent=1))


RELIABILITY_KEYS = (
    "urgent_sensitivity",
    "urgent_specificity",
    "balanced_accuracy",
    "ece",
    "ood_flagged_fraction",
)


def worst(rows: list[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    """The malignant val images the shipped rule scores least malignant (for the model card)."""
    malignant = [r for r in rows if r["true_label"] in MALIGNANT_CODES]

    def score(r: dict[str, Any]) -> float:
        return sum(float(r[f"prob_{c}"]) for c in MALIGNANT_CODES)

    return [
        {
            "image": Path(r["path"]).name,
            "true": r["true_label"],
            "predicted": r["pred_label"],
            "tier": r["risk_tier"],
            "p_malignant": round(score(r), 3),
            "ood_flag": r["ood_flag"],
            "confidence": round(float(r[f"prob_{r['pred_label']}"]), 3),
        }
        for r in sorted(malignant, key=score)[:n]
    ]


def reliability(
    predictor: Predictor, roots: list[Path], answers: dict[str, Answers]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per kind of photo: the shipped rule's val figures without and (where recorded) with answers."""
    summary, full = {}, {}
    for d, root in enumerate(roots):
        masks = root / "masks" if (root / "masks").is_dir() else None
        rows, without = evaluate(predictor, root / "val", masks)
        entry = {
            "images": without["n_images"],
            "malignant": without["n_malignant"],
            "without_answers": {k: without.get(k) for k in RELIABILITY_KEYS},
        }
        full[DOMAINS[d]] = {"without_answers": without, "worst_malignant_without_answers": worst(rows)}
        rows, with_answers = evaluate(predictor, root / "val", masks, answers)
        if with_answers["n_with_answers"]:
            entry["with_answers"] = {k: with_answers.get(k) for k in RELIABILITY_KEYS}
            full[DOMAINS[d]] |= {"with_answers": with_answers, "worst_malignant_with_answers": worst(rows)}
        summary[DOMAINS[d]] = entry
    return summary, full
