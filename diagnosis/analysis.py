"""The worker's analysis of one diagnosis: decode the upload once, run the model, shape the result.

Worker only: ``ml.predictor`` (ONNX Runtime) is imported lazily, never by the web process.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from diagnosis.decoding import DecodedPhoto, decode_photo
from diagnosis.framing import CropBox
from diagnosis.models import Diagnosis

if TYPE_CHECKING:
    from ml.predictor import Prediction, Predictor

logger = logging.getLogger(__name__)

CAM_DECIMALS = 3


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded (missing, altered, or its runtime not installed)."""


def load_predictor() -> Predictor:
    try:
        from ml import predictor as ml_predictor  # lazy: worker only
    except ImportError as exc:  # e.g. onnxruntime not installed on this worker
        raise ModelUnavailable(str(exc)) from exc
    try:
        return ml_predictor.get_predictor()
    except (ml_predictor.ModelNotFoundError, ml_predictor.ModelIntegrityError, ImportError) as exc:
        raise ModelUnavailable(str(exc)) from exc


def _crop(diagnosis: Diagnosis) -> CropBox | None:
    box = diagnosis.crop_box or []
    return CropBox(*(float(v) for v in box)) if len(box) == 4 else None


def decode(diagnosis: Diagnosis) -> DecodedPhoto:
    """The upload's bytes decoded once into the stored photo. Rows queued before uploads were
    decoded here already have their master: it is decoded and not stored again (jpeg == b"").

    Raises FileNotFoundError (nothing stored) or ValidationError (a damaged file)."""
    if diagnosis.upload:
        with diagnosis.upload.open("rb") as fh:
            data = fh.read()
        return decode_photo(data, crop=_crop(diagnosis))
    if not diagnosis.image:
        raise FileNotFoundError("no upload and no stored photo")
    with diagnosis.image.open("rb") as fh:
        photo = decode_photo(fh.read())
    return DecodedPhoto(image=photo.image, jpeg=b"", thumbnail=b"", source_format=photo.source_format)


def cam_grid(prediction: Prediction) -> dict[str, Any]:
    """The Grad-CAM map as a few dozen rounded floats, with the part of the photo it covers."""
    rows, cols = prediction.cam.shape
    return {
        "rows": int(rows),
        "cols": int(cols),
        "values": [round(float(v), CAM_DECIMALS) for v in prediction.cam.reshape(-1)],
        "box": [round(float(v), 4) for v in prediction.cam_box],
    }


def result_fields(prediction: Prediction, reliability: dict[str, Any]) -> dict[str, Any]:
    """What the model said, as Diagnosis field values (status done, or rejected without a disease)."""
    domain = prediction.domain
    fields: dict[str, Any] = {
        "model_version": prediction.model_version,
        "ood_flag": bool(prediction.ood_flag),
        "ood_score": float(prediction.ood_score),
        "ood_reason": (prediction.ood_reason or "")[:20],
        # The model's view of the photo and its own measured figures for that kind of photo.
        "domain": domain,
        "domain_probability": float(prediction.domain_probability) if domain else None,
        "answers_used": list(prediction.answers_used),
        "reliability": dict(reliability.get(domain) or {}) if domain else {},
    }
    if prediction.ood_flag:  # not a usable skin photo: no disease at all
        return fields | {
            "status": Diagnosis.Status.REJECTED,
            "probabilities": {},
            "top3": [],
            "predicted_class": "",
            "confidence": None,
            "risk_tier": "",
            "cam_class": "",
            "cam_grid": {},
        }
    return fields | {
        "status": Diagnosis.Status.DONE,
        "probabilities": {k: float(v) for k, v in prediction.probabilities.items()},
        "top3": [[code, float(p)] for code, p in prediction.top3],
        "predicted_class": prediction.predicted_class,
        "confidence": float(prediction.confidence),
        "risk_tier": prediction.risk_tier,
        "cam_class": prediction.cam_class,
        "cam_grid": cam_grid(prediction),
    }
