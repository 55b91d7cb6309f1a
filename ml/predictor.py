"""Serving: load the shipped model once per process and turn a photo into a typed result.

Only numpy, Pillow and ONNX Runtime are imported here (never torch), with one compute thread.
There is no fallback: a missing or corrupted model raises, it never invents a prediction.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml.answers import Answers, encode
from ml.constants import CLASS_CODES, MALIGNANT_CODES
from ml.gradcam import gradcam_raw, normalize_cam
from ml.metrics import softmax
from ml.ood import MahalanobisOOD
from ml.preprocess import Preprocessing
from ml.quality import quality_problem

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_NAME = "jildi-mnv2-v3"
DOMAINS: tuple[str, ...] = ("dermoscopy", "phone")  # kinds of photo the domain head tells apart

__all__ = [
    "CLASS_CODES",
    "DOMAINS",
    "Answers",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "Prediction",
    "Predictor",
    "default_model_dir",
    "get_predictor",
]


class ModelNotFoundError(RuntimeError):
    """The model directory or one of its files is missing."""


class ModelIntegrityError(RuntimeError):
    """A model file does not match the sha256 recorded in its metadata."""


@dataclass(frozen=True)
class Prediction:
    probabilities: dict[str, float]
    top3: list[tuple[str, float]]
    predicted_class: str
    confidence: float
    malignant_probability: float
    risk_tier: str  # "urgent" | "monitor" | "routine"
    ood_score: float
    ood_flag: bool
    ood_reason: str | None  # None, "not_lesion" (feature distance), "no_detail" or "noise"
    cam: np.ndarray = field(repr=False)
    cam_class: str = ""
    model_version: str = ""
    # Which kind of photo the model took this for ("dermoscopy" | "phone"; "" if the model has no
    # domain head) and how sure it is; which answer groups were used as model inputs.
    domain: str = ""
    domain_probability: float = 0.0
    answers_used: tuple[str, ...] = ()
    # The part of the photo the model saw (and the CAM covers), as fractions (left, top, right, bottom).
    cam_box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_model_dir() -> Path:
    return Path(os.environ.get("JILDI_MODEL_DIR") or MODELS_DIR / DEFAULT_MODEL_NAME)


def decide(probs: np.ndarray, decision: dict[str, Any]) -> int:
    """The shipped decision rule: argmax, except melanoma wins above its own threshold."""
    mel_threshold = decision.get("mel_threshold")
    mel = CLASS_CODES.index("mel")
    if mel_threshold is not None and probs[mel] >= mel_threshold:
        return mel
    return int(np.argmax(probs))


def decide_batch(probs: np.ndarray, decision: dict[str, Any]) -> np.ndarray:
    return np.array([decide(p, decision) for p in probs], dtype=int)


def risk_tier(probs: np.ndarray, predicted: int, risk: dict[str, Any]) -> tuple[str, float]:
    malignant = float(sum(probs[CLASS_CODES.index(c)] for c in MALIGNANT_CODES))
    if CLASS_CODES[predicted] in MALIGNANT_CODES or malignant >= risk["urgent_threshold"]:
        return "urgent", malignant
    if malignant >= risk["monitor_threshold"]:
        return "monitor", malignant
    return "routine", malignant


class Predictor:
    """preprocess -> ONNX Runtime (logits + last-block features) -> postprocess."""

    def __init__(self, model_dir: str | Path | None = None, verify: bool = True) -> None:
        import onnxruntime as ort

        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        meta_path = self.model_dir / "metadata.json"
        if not meta_path.is_file():
            raise ModelNotFoundError(f"No model metadata at {meta_path}")
        self.metadata = json.loads(meta_path.read_text())
        files = self.metadata["files"]
        for name in files.values():
            path = self.model_dir / name
            if not path.is_file():
                raise ModelNotFoundError(f"Model file missing: {path}")
            if verify and sha256_file(path) != self.metadata["sha256"][name]:
                raise ModelIntegrityError(f"Checksum mismatch for {path}")
        if tuple(self.metadata["classes"]) != CLASS_CODES:
            raise ModelIntegrityError("Model class map differs from CLASS_CODES")
        self.version = self.metadata["version"]
        self.preprocessing = Preprocessing.from_dict(self.metadata["preprocessing"])
        self.temperature = float(self.metadata["temperature"])
        # Prior correction for the training sampler (logit adjustment), see ml/export.py.
        self.logit_bias = np.asarray(
            self.metadata.get("logit_bias", [0.0] * len(CLASS_CODES)), dtype=np.float32
        )
        self.decision = self.metadata["decision"]
        self.risk = self.metadata["risk"]
        head = np.load(self.model_dir / files["head"])
        # Linear head over [pooled image features, encoded answers]: the ONNX graph holds the
        # image part; the answers part is added here (it is constant over the image, so the
        # closed-form Grad-CAM over the image weights stays exact).
        self.head_weight = head["weight"].astype(np.float32)
        self.answer_weight = head["answer_weight"].astype(np.float32) if "answer_weight" in head else None
        self.domain_head = (
            (head["domain_weight"].astype(np.float32), float(head["domain_bias"]))
            if "domain_weight" in head
            else None
        )
        self.reliability = self.metadata.get("reliability", {})
        # One temperature per kind of photo (chosen by the domain head), else the single one.
        self.temperature_by_domain = {
            k: float(v) for k, v in self.metadata.get("temperature_by_domain", {}).items()
        }
        # OOD threshold per kind of photo (phone photos vary more), else the single one.
        self.ood_threshold_by_domain = {
            k: float(v) for k, v in self.metadata.get("ood", {}).get("threshold_by_domain", {}).items()
        }
        self.ood = MahalanobisOOD.load(self.model_dir / files["ood"])

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.session = ort.InferenceSession(
            str(self.model_dir / files["onnx"]), options, providers=["CPUExecutionProvider"]
        )

    def calibrated(self, logits: np.ndarray) -> np.ndarray:
        """Logits (N, C) -> prior-corrected, temperature-scaled probabilities."""
        return softmax(logits + self.logit_bias, self.temperature)

    def answer_logits(self, answers: Answers | None) -> np.ndarray:
        """The answers' contribution to the logits (zeros without answers or an answers head)."""
        if self.answer_weight is None or answers is None:
            return np.zeros(len(CLASS_CODES), dtype=np.float32)
        contribution: np.ndarray = self.answer_weight @ encode(answers)
        return contribution

    def domain_of(self, pooled: np.ndarray) -> tuple[str, float]:
        """Pooled features (K,) -> (kind of photo, probability of that kind)."""
        if self.domain_head is None:
            return "", 0.0
        weight, bias = self.domain_head
        p_phone = float(1.0 / (1.0 + np.exp(-(pooled @ weight + bias))))
        return (DOMAINS[1], p_phone) if p_phone >= 0.5 else (DOMAINS[0], 1.0 - p_phone)

    # -- model step ------------------------------------------------------------------------
    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3, H, W) float32 -> (logits (N, C), features (N, K, h, w))."""
        logits, features = self.session.run(None, {"input": batch})
        return logits, features

    def step(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """One preprocessed image (3, H, W) -> calibrated probabilities, CAM, target class."""
        logits, features = self.run(tensor[None])
        probs = self.calibrated(logits)[0]
        target = decide(probs, self.decision)
        cam = normalize_cam(gradcam_raw(features[0], self.head_weight, target))
        return probs, cam, target

    # -- full prediction: preprocess -> infer -> postprocess ----------------------------------
    def preprocess(self, image: Image.Image) -> tuple[Image.Image, np.ndarray]:
        """Photo -> (model-size RGB image, normalised (3, H, W) tensor)."""
        model_input = self.preprocessing.resize_image(image)
        return model_input, self.preprocessing.normalize(model_input)

    def infer(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One tensor (3, H, W) -> (image logits (C,), last-block features (K, h, w))."""
        logits, features = self.run(tensor[None])
        return logits[0], features[0]

    def postprocess(
        self,
        model_input: Image.Image,
        logits: np.ndarray,
        features: np.ndarray,
        answers: Answers | None = None,
        cam_box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
    ) -> Prediction:
        pooled = features.mean(axis=(1, 2))
        domain, domain_probability = self.domain_of(pooled)
        temperature = self.temperature_by_domain.get(domain, self.temperature)
        probs = softmax((logits + self.answer_logits(answers) + self.logit_bias)[None], temperature)[0]
        target = decide(probs, self.decision)
        cam = normalize_cam(gradcam_raw(features, self.head_weight, target))
        ood_score = float(self.ood.score(pooled)[0])
        tier, malignant = risk_tier(probs, target, self.risk)
        reason = quality_problem(model_input)
        # The feature-distance gate never hides an urgent result: unusual-looking lesions
        # (large, irregular, multicoloured: many melanomas) sit far from the training means too,
        # and telling such a patient "this is not a spot" is the more dangerous error. A photo
        # that is too dark, blurred or featureless is still rejected with its reason.
        unusual = ood_score > self.ood_threshold_by_domain.get(domain, self.ood.threshold)
        if reason is None and unusual and tier != "urgent":
            reason = "not_lesion"
        order = np.argsort(probs)[::-1]
        used = answers.answered() if answers is not None and self.answer_weight is not None else ()
        return Prediction(
            probabilities={c: float(p) for c, p in zip(CLASS_CODES, probs, strict=True)},
            top3=[(CLASS_CODES[i], float(probs[i])) for i in order[:3]],
            predicted_class=CLASS_CODES[target],
            confidence=float(probs[target]),
            malignant_probability=malignant,
            risk_tier=tier,
            ood_score=ood_score,
            ood_flag=reason is not None,
            ood_reason=reason,
            cam=cam,
            cam_class=CLASS_CODES[target],
            model_version=self.version,
            domain=domain,
            domain_probability=domain_probability,
            answers_used=used,
            cam_box=cam_box,
        )

    def predict(self, image: Image.Image, answers: Answers | None = None) -> Prediction:
        return self.predict_with_features(image, answers)[0]

    def predict_with_features(
        self, image: Image.Image, answers: Answers | None = None
    ) -> tuple[Prediction, np.ndarray]:
        """The prediction plus the raw last-block features (K, h, w) it came from."""
        model_input, tensor = self.preprocess(image)
        logits, features = self.infer(tensor)
        w, h = image.size
        left, top, right, bottom = self.preprocessing.crop_box(image.size)
        box = (left / w, top / h, right / w, bottom / h)
        return self.postprocess(model_input, logits, features, answers, box), features


_lock = threading.Lock()
_cache: dict[Path, Predictor] = {}


def get_predictor(model_dir: str | Path | None = None) -> Predictor:
    """The process-wide Predictor (loaded lazily, once)."""
    key = Path(model_dir) if model_dir else default_model_dir()
    with _lock:
        if key not in _cache:
            _cache[key] = Predictor(key)
        return _cache[key]
