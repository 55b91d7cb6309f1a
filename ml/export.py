"""Build the shipped model directory from a training run's best checkpoint.

    python -m ml.export --run runs/v4 --data ../shared/data/ham10000 \
        --phone-data ../shared/data/pad_ufes_20 --out ml/models/jildi-mnv2-v3

Steps, run in this order by ``main`` (1-5 are in ml/heads.py, 6 in ml/reliability.py):
1. ``features``: pooled last-block features of every train/val image of both kinds of photo;
2. ``fit_fused_head``: one linear head over [pooled image features, encoded answers], fitted on
   frozen train features, class-balanced within each kind of photo, the two kinds weighted
   equally, with answers dropped at random (every answer optional); weights stored as float16;
3. ``fit_domain_head``: logistic "dermoscopy vs phone photo" on the same pooled features;
4. ``calibrate``: one temperature per kind of photo (chosen by the domain head at serving),
   the melanoma threshold on the joint val, and the urgent threshold so that >= 90% of the
   malignant lesions of EACH kind of photo's val are urgent;
5. ``fit_ood``: Mahalanobis distance to the (kind of photo, class) means with its threshold set
   on each kind of photo's val;
6. ``reliability``: the exported serving path evaluated on each val, with and without answers,
   stored in ``metadata.json`` for the product to quote.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ml.answers import ENCODED_SIZE, Answers, group_slices
from ml.constants import CLASS_CODES, MALIGNANT_CODES
from ml.heads import (
    OOD_QUANTILES,
    Split,
    calibrate,
    features,
    fit_domain_head,
    fit_fused_head,
    fit_ood,
    ood_thresholds,
)
from ml.model import FeaturesAndLogits, build_model
from ml.ood import MahalanobisOOD
from ml.predictor import DOMAINS, Predictor, sha256_file
from ml.preprocess import Preprocessing
from ml.reliability import read_answers, refresh_figures, reliability

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

log = logging.getLogger("ml.export")


def load_rounded_model(state_path: Path) -> torch.nn.Module:
    model = build_model()
    state = torch.load(state_path, map_location="cpu", weights_only=True)
    model.load_state_dict(
        {k: v.to(torch.float16).to(v.dtype) if v.is_floating_point() else v for k, v in state.items()}
    )
    return model.eval()


def export_onnx(model: torch.nn.Module, pre: Preprocessing, path: Path) -> None:
    dummy = torch.zeros(1, 3, pre.height, pre.width)
    torch.onnx.export(
        FeaturesAndLogits(model).eval(),
        (dummy,),
        str(path),
        input_names=["input"],
        output_names=["logits", "features"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}, "features": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--data", required=True, type=Path, help="dermatoscope ImageFolder")
    parser.add_argument("--phone-data", type=Path, help="phone-photo ImageFolder (with metadata.csv)")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--name", default="jildi-mnv2")
    parser.add_argument("--release", default="3.0.0")
    parser.add_argument("--head-l2", type=float, default=0.01, help="L2 pull of the re-fitted head")
    parser.add_argument("--answers-l2", type=float, default=0.0005, help="L2 on the answers' weights")
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="only re-run step 6 on the model already in --out (after a change to the serving rules)",
    )
    return parser.parse_args(argv)


@dataclass
class Inputs:
    """What every export step reads: the run's recipe and weights, the data, the answers."""

    args: argparse.Namespace
    recipe: dict[str, Any]
    pre: Preprocessing
    model: torch.nn.Module
    roots: list[Path]
    answers: dict[str, Answers]

    def session(self) -> InferenceSession:
        """Export the model as it is now to ONNX and open it (ONNX Runtime, 2 threads)."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        export_onnx(self.model, self.pre, self.args.out / "model.onnx")
        return ort.InferenceSession(
            str(self.args.out / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def features(self, sess: InferenceSession, split: str) -> list[Split]:
        return [features(sess, self.pre, r / split, d) for d, r in enumerate(self.roots)]


def load_inputs(args: argparse.Namespace) -> Inputs:
    recipe = json.loads((args.run / "recipe.json").read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    roots = [args.data] + ([args.phone_data] if args.phone_data else [])
    return Inputs(
        args=args,
        recipe=recipe,
        pre=Preprocessing.from_dict(recipe["preprocessing"]),
        model=load_rounded_model(args.run / "best.pt"),
        roots=roots,
        answers=read_answers(roots),
    )


def step_heads(inputs: Inputs, train: list[Split]) -> tuple[np.ndarray, dict[str, Any], list[Split]]:
    """Steps 2-3: the fused head (image part into the ONNX graph) and the domain head; writes
    weights.pt and head.npz. Returns the answers' weights, the refit report and the new val
    features (the re-exported graph's)."""
    args, model = inputs.args, inputs.model
    head_refit = fit_fused_head(model, train, inputs.answers, args.head_l2, answers_l2=args.answers_l2)
    answer_weight = head_refit.pop("answer_weight")
    val = inputs.features(inputs.session(), "val")
    torch.save(
        {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()},
        args.out / "weights.pt",
    )
    head = model.classifier[-1]
    head_arrays = {
        "weight": head.weight.detach().numpy(),
        "bias": head.bias.detach().numpy(),
        "answer_weight": answer_weight.astype(np.float32),
    }
    if len(inputs.roots) > 1:
        domain_weight, domain_bias = fit_domain_head(train)
        head_arrays |= {"domain_weight": domain_weight, "domain_bias": np.float32(domain_bias)}
    np.savez(args.out / "head.npz", **head_arrays)
    return answer_weight, head_refit, val


def step_ood(out: Path, train: list[Split], val: list[Split]) -> tuple[MahalanobisOOD, dict[str, float]]:
    """Step 5: fit, store, and set the thresholds from the stored (float16) parameters."""
    fit_ood(train).save(out / "ood.npz")
    ood = MahalanobisOOD.load(out / "ood.npz")
    thresholds = ood_thresholds(ood, val)
    ood.threshold = max(thresholds.values())  # for a reader without the domain head
    ood.save(out / "ood.npz")
    return ood, thresholds


def build_metadata(
    inputs: Inputs,
    cal: dict[str, Any],
    ood: MahalanobisOOD,
    thresholds: dict[str, float],
    head_refit: dict[str, Any],
) -> dict[str, Any]:
    """metadata.json: files and checksums, preprocessing, decision and risk rules, OOD, training."""
    args, pre, recipe, roots = inputs.args, inputs.pre, inputs.recipe, inputs.roots
    urgent = cal["urgent"]
    files = {"onnx": "model.onnx", "weights": "weights.pt", "head": "head.npz", "ood": "ood.npz"}
    sha = {name: sha256_file(args.out / name) for name in files.values()}
    best = json.loads((args.run / "best.json").read_text())
    log_rows = [json.loads(x) for x in (args.run / "log.jsonl").read_text().splitlines() if x.strip()]
    joint_temperature = float(np.mean(list(cal["temperatures"].values())))
    metadata = {
        "name": args.name,
        "version": f"{args.name}-{args.release}+{sha['model.onnx'][:12]}",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "architecture": "torchvision mobilenet_v2; head = Linear over [pooled 1280 features, "
        f"{ENCODED_SIZE} encoded answers] (ONNX holds the image part); domain head = logistic on pooled",
        "classes": list(CLASS_CODES),
        "domains": list(DOMAINS[: len(roots)]),
        "preprocessing": pre.to_dict(),
        "answers": {"encoding": "ml.answers.encode", "size": ENCODED_SIZE, "groups": list(group_slices())},
        "files": files,
        "sha256": sha,
        "temperature": joint_temperature,
        "temperature_by_domain": cal["temperatures"],
        "logit_bias": [0.0] * len(CLASS_CODES),
        "decision": {
            "rule": "argmax; melanoma if p(mel) >= mel_threshold",
            "mel_threshold": cal["mel_threshold"],
        },
        "risk": {
            "malignant_classes": list(MALIGNANT_CODES),
            "urgent_threshold": urgent,
            "monitor_threshold": round(urgent / 2, 3),
            "rule": "urgent if predicted class is malignant or p(akiec)+p(bcc)+p(mel) >= urgent_threshold; "
            "monitor if that sum >= monitor_threshold; routine otherwise",
        },
        "ood": {
            "method": "Mahalanobis distance (tied covariance, PPCA rank 256) to the (kind of photo, class) "
            "means of pooled last-block features",
            "threshold": ood.threshold,
            "threshold_rule": "threshold_by_domain for the kind of photo the domain head reports",
            "val_quantiles": OOD_QUANTILES,
            "threshold_by_domain": thresholds,
        },
        "calibration": {"method": "temperature per kind of photo, fitted on its val", "val_ece": cal["ece"]},
        "training": {
            "recipe": recipe,
            "head_refit": head_refit,
            "best_epoch": best,
            "epochs_logged": len(log_rows),
            "train_seconds": round(sum(r["seconds"] for r in log_rows), 1),
        },
    }
    return metadata


def main(argv: list[str] | None = None) -> None:
    """features -> heads -> calibration -> OOD -> metadata -> reliability of what ships."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.figures_only:
        refresh_figures(args)
        return
    inputs = load_inputs(args)
    t0 = time.time()
    sess = inputs.session()
    train, val = inputs.features(sess, "train"), inputs.features(sess, "val")  # 1. features
    log.info("features computed in %.0fs", time.time() - t0)
    answer_weight, head_refit, val = step_heads(inputs, train)  # 2-3. fused and domain heads
    cal = calibrate(val, inputs.answers, answer_weight)  # 4. calibration and thresholds
    log.info("calibration %s", cal)
    ood, thresholds = step_ood(args.out, train, val)  # 5. OOD
    metadata = build_metadata(inputs, cal, ood, thresholds, head_refit)
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2))
    # 6. evaluate exactly what ships: the ONNX serving path, on each val, with and without answers
    metadata["reliability"], metadata["val_metrics"] = reliability(
        Predictor(args.out), inputs.roots, inputs.answers
    )
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2))
    log.info("reliability %s", json.dumps(metadata["reliability"], indent=1))


if __name__ == "__main__":
    main()
