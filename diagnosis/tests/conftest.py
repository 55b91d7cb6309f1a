from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Every test gets its own empty MEDIA_ROOT, so "nothing left behind" is checkable."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@dataclass
class Enqueued:
    ids: list[str] = field(default_factory=list)


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> Enqueued:
    """Record run_diagnosis.delay() calls instead of talking to the broker."""
    from diagnosis import tasks

    record = Enqueued()
    monkeypatch.setattr(tasks.run_diagnosis, "delay", lambda pk: record.ids.append(str(pk)))
    return record


@dataclass
class FakePrediction:
    """Test double for ml.predictor.Prediction (deterministic; tests only)."""

    probabilities: dict[str, float]
    top3: list[tuple[str, float]]
    predicted_class: str
    confidence: float
    risk_tier: str
    ood_score: float
    ood_flag: bool
    cam: np.ndarray
    cam_class: str
    model_version: str = "test-double-1"
    malignant_probability: float = 0.0


class FakePredictor:
    """Deterministic stand-in for the real predictor; lives in tests only."""

    def __init__(self, *, ood: bool = False, tier: str = "urgent", top: str = "mel") -> None:
        self.ood = ood
        self.tier = tier
        self.top = top
        self.calls = 0

    def predict(self, image: Any) -> FakePrediction:
        self.calls += 1
        probs = {"akiec": 0.02, "bcc": 0.03, "bkl": 0.05, "df": 0.01, "mel": 0.6, "nv": 0.27, "vasc": 0.02}
        if self.top != "mel":
            probs[self.top], probs["mel"] = probs["mel"], probs[self.top]
        top3 = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)[:3]
        return FakePrediction(
            probabilities=probs,
            top3=top3,
            predicted_class=top3[0][0],
            confidence=top3[0][1],
            risk_tier=self.tier,
            ood_score=42.0 if self.ood else 3.0,
            ood_flag=self.ood,
            cam=np.linspace(0, 1, 49, dtype=np.float32).reshape(7, 7),
            cam_class=top3[0][0],
        )


@pytest.fixture
def fake_predictor(monkeypatch: pytest.MonkeyPatch) -> FakePredictor:
    from ml import predictor as ml_predictor

    fake = FakePredictor()
    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: fake)
    return fake


@pytest.fixture
def shipped_model() -> Path:
    """The committed model directory; tests that run real predictions skip without it."""
    from ml.predictor import default_model_dir

    model_dir = default_model_dir()
    if not (model_dir / "metadata.json").is_file():
        pytest.skip(f"no shipped model directory at {model_dir} (ml/models/<version>/metadata.json)")
    return model_dir
