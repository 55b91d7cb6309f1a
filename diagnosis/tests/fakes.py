"""Test doubles for the diagnosis pipeline: a deterministic predictor returning the real
``ml.predictor.Prediction``, an enqueue recorder, and reliability figures shaped like a
model's metadata. The fixtures using them are in the root conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def analysed(diagnosis: Any) -> Any:
    """What the worker makes of a queued diagnosis (decode, model, store); the caller provides
    the predictor (``fake_predictor`` or the shipped model)."""
    from diagnosis.services import diagnosis_run

    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    return diagnosis


# Reliability figures shaped like a model's metadata.json "reliability".
PHONE_RELIABILITY = {
    "images": 170,
    "malignant": 118,
    "without_answers": {"urgent_sensitivity": 0.9, "urgent_specificity": 0.5, "balanced_accuracy": 0.6},
    "with_answers": {"urgent_sensitivity": 0.93, "urgent_specificity": 0.52, "balanced_accuracy": 0.64},
}
DERMOSCOPY_RELIABILITY = {
    "images": 1507,
    "malignant": 280,
    "without_answers": {"urgent_sensitivity": 0.91, "urgent_specificity": 0.7, "balanced_accuracy": 0.71},
}


class FakePredictor:
    """Deterministic stand-in for the real predictor; lives in tests only.

    Returns the real ``ml.predictor.Prediction``. ``domain``/``reliability`` mimic a model with a
    domain head and reliability metadata; ``uses_answers`` one with an answers input.
    """

    def __init__(
        self,
        *,
        ood: bool = False,
        tier: str = "urgent",
        top: str = "mel",
        ood_reason: str | None = None,
        domain: str = "",
        domain_probability: float = 0.0,
        reliability: dict[str, Any] | None = None,
        uses_answers: bool = False,
    ) -> None:
        self.ood = ood
        self.tier = tier
        self.top = top
        self.ood_reason = ood_reason
        self.domain = domain
        self.domain_probability = domain_probability
        self.reliability = reliability if reliability is not None else {}
        self.uses_answers = uses_answers
        self.calls = 0
        self.images: list[Any] = []
        self.answers: list[Any] = []

    def predict(self, image: Any, answers: Any = None) -> Any:
        from ml.predictor import Prediction

        self.calls += 1
        self.images.append(image)
        self.answers.append(answers)
        probs = {"akiec": 0.02, "bcc": 0.03, "bkl": 0.05, "df": 0.01, "mel": 0.6, "nv": 0.27, "vasc": 0.02}
        if self.top != "mel":
            probs[self.top], probs["mel"] = probs["mel"], probs[self.top]
        top3 = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)[:3]
        used = answers.answered() if answers is not None and self.uses_answers else ()
        return Prediction(
            probabilities=probs,
            top3=top3,
            predicted_class=top3[0][0],
            confidence=top3[0][1],
            malignant_probability=probs["akiec"] + probs["bcc"] + probs["mel"],
            risk_tier=self.tier,
            ood_score=42.0 if self.ood else 3.0,
            ood_flag=self.ood,
            ood_reason=(self.ood_reason or "not_lesion") if self.ood else None,
            cam=np.linspace(0, 1, 49, dtype=np.float32).reshape(7, 7),
            cam_class=top3[0][0],
            model_version="test-double-1",
            domain=self.domain,
            domain_probability=self.domain_probability,
            answers_used=used,
        )


@dataclass
class Enqueued:
    ids: list[str] = field(default_factory=list)
