"""ml.export.main end to end on a tiny training run: every named step runs and writes the model."""

from __future__ import annotations

import json

import pytest
import torch
import torchvision

from ml import export, train
from ml.constants import CLASS_CODES
from ml.predictor import Predictor
from ml.synthetic import lesion_image


@pytest.mark.slow
def test_export_steps_write_a_servable_model_directory(tmp_path):
    for split, n in (("train", 8), ("val", 3)):
        for i, code in enumerate(CLASS_CODES):
            folder = tmp_path / "data" / split / code
            folder.mkdir(parents=True)
            for j in range(n):
                lesion_image(seed=i * 10 + j).save(folder / f"img{j}.jpg")
    init = tmp_path / "init.pth"
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), init)
    data, run, out = tmp_path / "data", tmp_path / "run", tmp_path / "model"
    train.main(
        ["--data", str(data), "--init", str(init), "--out", str(run), "--epochs", "1", "--batch-size", "4",
         "--max-steps", "2", "--width", "64", "--height", "48", "--threads", "1"]
    )  # fmt: skip
    export.main(["--run", str(run), "--data", str(data), "--out", str(out)])
    metadata = json.loads((out / "metadata.json").read_text())
    assert set(metadata["files"].values()) <= {p.name for p in out.iterdir()}
    assert metadata["reliability"]["dermoscopy"]["images"] == 3 * len(CLASS_CODES)
    prediction = Predictor(out).predict(lesion_image(seed=1))
    assert set(prediction.probabilities) == set(CLASS_CODES)
