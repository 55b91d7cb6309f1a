"""Build the shipped model directory from a training run's best checkpoint.

    python -m ml.export --run runs/v4 --data ../shared/data/ham10000 \
        --phone-data ../shared/data/pad_ufes_20 --out ml/models/jildi-mnv2-v3

Steps (each a function below, run in this order by ``main``):
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

import numpy as np
import torch

from ml.answers import ENCODED_SIZE, Answers, encode, group_slices, read_metadata
from ml.calibration import fit_temperature
from ml.constants import CLASS_CODES, MALIGNANT_CODES
from ml.data import list_images
from ml.evaluate import evaluate
from ml.imaging import load_image
from ml.metrics import expected_calibration_error, softmax
from ml.model import FeaturesAndLogits, build_model
from ml.ood import MahalanobisOOD
from ml.predictor import DOMAINS, Predictor, decide_batch, sha256_file
from ml.preprocess import Preprocessing

log = logging.getLogger("ml.export")
MEL_SENSITIVITY_TARGET = 0.82  # shipped rule aims a little above the 0.80 requirement
MALIGNANT_SENSITIVITY_TARGET = 0.90  # "urgent" catches >= 90% of akiec/bcc/mel on each val
OOD_QUANTILES = {"dermoscopy": 0.96, "phone": 0.93}  # targets: <= 5% / <= 10% of val flagged


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


def run_folder(session, pre: Preprocessing, root: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    items = list_images(root)
    logits, pooled = [], []
    for start in range(0, len(items), 64):
        batch = np.stack([pre(load_image(p)) for p, _ in items[start : start + 64]])
        lg, fm = session.run(None, {"input": batch})
        logits.append(lg)
        pooled.append(fm.mean(axis=(2, 3)))
    labels = np.array([CLASS_CODES.index(c) for _, c in items])
    return np.concatenate(logits), np.concatenate(pooled), labels


def choose_mel_threshold(probs: np.ndarray, labels: np.ndarray) -> float | None:
    mel = CLASS_CODES.index("mel")
    is_mel = labels == mel
    if (probs[is_mel].argmax(axis=1) == mel).mean() >= MEL_SENSITIVITY_TARGET:
        return None
    # Highest threshold that reaches the sensitivity target (fewest extra false alarms).
    for t in np.arange(0.60, 0.02, -0.01):
        preds = decide_batch(probs, {"mel_threshold": float(t)})
        if (preds[is_mel] == mel).mean() >= MEL_SENSITIVITY_TARGET:
            return round(float(t), 2)
    return 0.02


def choose_urgent_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    idx = [CLASS_CODES.index(c) for c in MALIGNANT_CODES]
    malignant = probs[:, idx].sum(axis=1)
    is_malignant = np.isin(labels, idx)
    # Quantile of malignant scores among malignant lesions: (1 - target) of them fall below.
    # An observed score (not an interpolated one), rounded down: neither step drops a lesion below it.
    quantile = float(np.quantile(malignant[is_malignant], 1 - MALIGNANT_SENSITIVITY_TARGET, method="lower"))
    return float(np.floor(quantile * 1000) / 1000)


@dataclass
class Split:
    """One folder's model outputs: image logits, pooled features, labels, file stems, domain."""

    logits: np.ndarray
    pooled: np.ndarray
    labels: np.ndarray
    stems: list[str]
    domain: int

    @staticmethod
    def join(splits: list[Split]) -> Split:
        return Split(
            np.concatenate([s.logits for s in splits]),
            np.concatenate([s.pooled for s in splits]),
            np.concatenate([s.labels for s in splits]),
            [x for s in splits for x in s.stems],
            -1,
        )

    @property
    def domains(self) -> np.ndarray:
        return np.full(len(self.labels), self.domain)


def features(session, pre: Preprocessing, root: Path, domain: int) -> Split:
    logits, pooled, labels = run_folder(session, pre, root)
    return Split(logits, pooled, labels, [p.stem for p, _ in list_images(root)], domain)


def domain_labels(splits: list[Split]) -> np.ndarray:
    return np.concatenate([s.domains for s in splits])


def answer_matrix(split: Split, answers: dict[str, Answers]) -> np.ndarray:
    return np.stack([encode(answers.get(stem)) for stem in split.stems])


def drop_answers(encoded: np.ndarray, rng: np.random.Generator, p_group: float, p_all: float) -> np.ndarray:
    """Answer dropout: each group unknown with ``p_group``, all unknown with ``p_all``."""
    out = encoded.copy()
    for sl in group_slices().values():
        out[rng.random(len(out)) < p_group, sl] = 0.0
    out[rng.random(len(out)) < p_all] = 0.0
    return out


def balanced_weights(labels: np.ndarray, domains: np.ndarray) -> np.ndarray:
    """Each kind of photo weighs the same; within it, every class present weighs the same."""
    weights = np.zeros(len(labels))
    kinds = np.unique(domains)
    for d in kinds:
        in_d = domains == d
        classes = np.unique(labels[in_d])
        for c in classes:
            mask = in_d & (labels == c)
            weights[mask] = 1.0 / (len(kinds) * len(classes) * mask.sum())
    return weights * len(labels)


def fit_fused_head(
    model: torch.nn.Module,
    train: list[Split],
    answers: dict[str, Answers],
    l2: float,
    copies: int = 4,
    seed: int = 0,
    answers_l2: float | None = None,
) -> dict:
    """Linear head over [pooled features, encoded answers] (L-BFGS, deterministic).

    ``copies`` copies of the train set: one with every answer the metadata has, one with none,
    the rest with answer groups dropped at random, so the head works for any subset of answers.
    The image weights are pulled towards the trained head (L2 ``l2``), the answer weights towards
    0 (L2 ``answers_l2``, default ``l2``).
    """
    answers_l2 = l2 if answers_l2 is None else answers_l2
    rng = np.random.default_rng(seed)
    joined = Split.join(train)
    domains = domain_labels(train)
    enc = np.concatenate([answer_matrix(s, answers) for s in train])
    variants = [enc, np.zeros_like(enc)] + [drop_answers(enc, rng, 0.5, 0.1) for _ in range(copies - 2)]
    x_img = torch.from_numpy(np.tile(joined.pooled, (copies, 1)).astype(np.float32))
    x_ans = torch.from_numpy(np.concatenate(variants).astype(np.float32))
    y = torch.from_numpy(np.tile(joined.labels, copies))
    w = torch.tensor(np.tile(balanced_weights(joined.labels, domains), copies), dtype=torch.float32)
    head = model.classifier[-1]
    w0, b0 = head.weight.detach().clone(), head.bias.detach().clone()
    weight, bias = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    answer_weight = torch.zeros(len(CLASS_CODES), ENCODED_SIZE, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias, answer_weight], max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        logits = x_img @ weight.T + x_ans @ answer_weight.T + bias
        ce = torch.nn.functional.cross_entropy(logits, y, reduction="none")
        loss = (ce * w).mean() + l2 * (weight - w0).pow(2).sum() + answers_l2 * answer_weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():  # stored as float16 like every other weight
        head.weight.copy_(weight.detach().half().float())
        head.bias.copy_(bias.detach().half().float())
    return {
        "method": "linear head over [pooled features, encoded answers], class- and domain-balanced "
        "logistic fit on frozen train features with random answer dropout",
        "l2": l2,
        "answers_l2": answers_l2,
        "copies": copies,
        "answer_weight": answer_weight.detach().half().float().numpy(),
    }


def fit_domain_head(train: list[Split], l2: float = 1e-3) -> tuple[np.ndarray, float]:
    """Logistic regression, phone photo (1) vs dermatoscope (0), both kinds weighted equally."""
    joined = Split.join(train)
    d = domain_labels(train)
    x = torch.from_numpy(joined.pooled.astype(np.float32))
    y = torch.from_numpy(d.astype(np.float32))
    w = torch.tensor(balanced_weights(np.zeros_like(d), d), dtype=torch.float32)
    weight = torch.zeros(x.shape[1], requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ weight + bias, y, weight=w)
        loss = loss + l2 * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return weight.detach().half().float().numpy(), float(bias.detach().half().float())


def fused_logits(split: Split, answers: dict[str, Answers] | None, answer_weight: np.ndarray) -> np.ndarray:
    if not answers:
        return split.logits
    return split.logits + answer_matrix(split, answers) @ answer_weight.T


def urgent_threshold_per_domain(probs_by_domain: list[np.ndarray], labels_by_domain: list[np.ndarray]):
    """The lowest of the per-domain thresholds: each domain's val keeps >= the target urgent."""
    return min(choose_urgent_threshold(p, y) for p, y in zip(probs_by_domain, labels_by_domain, strict=True))


def calibrate(val: list[Split], answers: dict[str, Answers], answer_weight: np.ndarray) -> dict:
    """Per-domain temperature, then the joint melanoma and the per-domain urgent thresholds.

    Patients may answer everything or nothing, so every choice is made on both variants of val
    at once: with the answers the metadata records and with none.
    """
    temperatures, probs, labels, ece = {}, [], [], {}
    for split in val:
        name = DOMAINS[split.domain]
        variants = [fused_logits(split, answers, answer_weight), split.logits]
        logits, y = np.concatenate(variants), np.tile(split.labels, 2)
        temperatures[name] = fit_temperature(logits, y)
        for variant, lg in zip(("with_answers", "without_answers"), variants, strict=True):
            p = softmax(lg, temperatures[name])
            probs.append(p)
            labels.append(split.labels)
            ece[f"{name}_{variant}"] = expected_calibration_error(p, split.labels)
    mel_threshold = choose_mel_threshold(np.concatenate(probs), np.concatenate(labels))
    urgent = urgent_threshold_per_domain(probs, labels)
    return {"temperatures": temperatures, "mel_threshold": mel_threshold, "urgent": urgent, "ece": ece}


def fit_ood(train: list[Split]) -> MahalanobisOOD:
    """Mahalanobis distance to the (kind of photo, class) means of the pooled train features."""
    joined = Split.join(train)
    return MahalanobisOOD.fit(joined.pooled, domain_labels(train) * len(CLASS_CODES) + joined.labels)


def ood_thresholds(ood: MahalanobisOOD, val: list[Split]) -> dict[str, float]:
    """One threshold per kind of photo: a quantile of its val scores (phone photos vary more)."""
    return {
        DOMAINS[s.domain]: float(np.quantile(ood.score(s.pooled), OOD_QUANTILES[DOMAINS[s.domain]]))
        for s in val
    }


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


def read_answers(roots: list[Path]) -> dict[str, Answers]:
    """The patients' answers from each dataset's metadata.csv, by image stem."""
    answers: dict[str, Answers] = {}
    for root in roots:
        if (root / "metadata.csv").is_file():
            answers.update(read_metadata(root / "metadata.csv"))
    return answers


@dataclass
class Inputs:
    """What every export step reads: the run's recipe and weights, the data, the answers."""

    args: argparse.Namespace
    recipe: dict
    pre: Preprocessing
    model: torch.nn.Module
    roots: list[Path]
    answers: dict[str, Answers]

    def session(self):
        """Export the model as it is now to ONNX and open it (ONNX Runtime, 2 threads)."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        export_onnx(self.model, self.pre, self.args.out / "model.onnx")
        return ort.InferenceSession(
            str(self.args.out / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def features(self, sess, split: str) -> list[Split]:
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


def step_heads(inputs: Inputs, train: list[Split]) -> tuple[np.ndarray, dict, list[Split]]:
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
    inputs: Inputs, cal: dict, ood: MahalanobisOOD, thresholds: dict[str, float], head_refit: dict
) -> dict:
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


def worst(rows: list[dict], n: int = 5) -> list[dict]:
    """The malignant val images the shipped rule scores least malignant (for the model card)."""
    malignant = [r for r in rows if r["true_label"] in MALIGNANT_CODES]
    score = lambda r: sum(float(r[f"prob_{c}"]) for c in MALIGNANT_CODES)  # noqa: E731
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


def reliability(predictor: Predictor, roots: list[Path], answers: dict[str, Answers]) -> tuple[dict, dict]:
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


if __name__ == "__main__":
    main()
