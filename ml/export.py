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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from ml.answers import ENCODED_SIZE, group_slices
from ml.constants import CLASS_CODES, MALIGNANT_CODES
from ml.heads import (
    OOD_QUANTILES,
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


def main(argv: list[str] | None = None) -> None:
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.figures_only:
        refresh_figures(args)
        return
    import onnxruntime as ort

    recipe = json.loads((args.run / "recipe.json").read_text())
    pre = Preprocessing.from_dict(recipe["preprocessing"])
    args.out.mkdir(parents=True, exist_ok=True)
    model = load_rounded_model(args.run / "best.pt")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2

    def session():
        export_onnx(model, pre, args.out / "model.onnx")
        return ort.InferenceSession(str(args.out / "model.onnx"), options, providers=["CPUExecutionProvider"])

    roots = [args.data] + ([args.phone_data] if args.phone_data else [])
    answers = read_answers(roots)

    # 1. features
    t0 = time.time()
    sess = session()
    train = [features(sess, pre, r / "train", d) for d, r in enumerate(roots)]
    val = [features(sess, pre, r / "val", d) for d, r in enumerate(roots)]
    log.info("features computed in %.0fs", time.time() - t0)

    # 2. fused head (the ONNX graph keeps the image part; answers are added by the Predictor)
    head_refit = fit_fused_head(model, train, answers, args.head_l2, answers_l2=args.answers_l2)
    answer_weight = head_refit.pop("answer_weight")
    sess = session()
    val = [features(sess, pre, r / "val", d) for d, r in enumerate(roots)]
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

    # 3. domain head
    if len(roots) > 1:
        domain_weight, domain_bias = fit_domain_head(train)
        head_arrays |= {"domain_weight": domain_weight, "domain_bias": np.float32(domain_bias)}
    np.savez(args.out / "head.npz", **head_arrays)

    # 4. calibration and thresholds
    cal = calibrate(val, answers, answer_weight)
    log.info("calibration %s", cal)

    # 5. OOD
    fit_ood(train).save(args.out / "ood.npz")
    ood = MahalanobisOOD.load(args.out / "ood.npz")  # thresholds from the stored (float16) parameters
    thresholds = ood_thresholds(ood, val)
    ood.threshold = max(thresholds.values())  # for a reader without the domain head
    ood.save(args.out / "ood.npz")

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
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2))

    # 6. evaluate exactly what ships: the ONNX serving path, on each val, with and without answers
    metadata["reliability"], metadata["val_metrics"] = reliability(Predictor(args.out), roots, answers)
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2))
    log.info("reliability %s", json.dumps(metadata["reliability"], indent=1))


if __name__ == "__main__":
    main()
