"""Print one JSON object per image: ``python -m ml.predict IMAGE [IMAGE ...]``."""

from __future__ import annotations

import argparse
import json
import sys

from ml.imaging import load_image
from ml.predictor import get_predictor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("images", nargs="+")
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    predictor = get_predictor(args.model)
    for path in args.images:
        result = predictor.predict(load_image(path))
        payload = {
            "path": path,
            "model_version": result.model_version,
            "ood_flag": result.ood_flag,
            "ood_score": round(result.ood_score, 4),
            "ood_reason": result.ood_reason,
            "predicted_class": None if result.ood_flag else result.predicted_class,
            "confidence": None if result.ood_flag else round(result.confidence, 4),
            "risk_tier": None if result.ood_flag else result.risk_tier,
            "top3": [] if result.ood_flag else [[c, round(p, 4)] for c, p in result.top3],
            "probabilities": {c: round(p, 4) for c, p in result.probabilities.items()},
        }
        sys.stdout.write(json.dumps(payload) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
