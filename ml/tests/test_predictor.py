from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ml.constants import CLASS_CODES
from ml.predictor import (
    ModelIntegrityError,
    ModelNotFoundError,
    Prediction,
    Predictor,
    default_model_dir,
    get_predictor,
    sha256_file,
)
from ml.synthetic import lesion_image
from ml.tests.support import needs_model

pytestmark = needs_model


def test_shipped_model_loads_and_every_checksum_verifies():
    model_dir = default_model_dir()
    meta = json.loads((model_dir / "metadata.json").read_text())
    for name, digest in meta["sha256"].items():
        assert sha256_file(model_dir / name) == digest
    predictor = Predictor(model_dir)
    assert predictor.version == meta["version"]
    assert meta["sha256"]["model.onnx"][:12] in predictor.version


def test_tampered_model_file_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(default_model_dir(), copy)
    with open(copy / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError):
        Predictor(copy)


def test_missing_model_is_a_clear_error_not_a_prediction(tmp_path):
    with pytest.raises(ModelNotFoundError):
        Predictor(tmp_path / "nowhere")
    copy = tmp_path / "model"
    shutil.copytree(default_model_dir(), copy)
    (copy / "ood.npz").unlink()
    with pytest.raises(ModelNotFoundError):
        Predictor(copy)


def test_prediction_is_typed_calibrated_and_deterministic(sample_images):
    predictor = get_predictor()
    first = predictor.predict(sample_images[0])
    again = predictor.predict(sample_images[0])
    assert isinstance(first, Prediction)
    assert set(first.probabilities) == set(CLASS_CODES)
    assert sum(first.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert [c for c, _ in first.top3] == sorted(
        first.probabilities, key=first.probabilities.get, reverse=True
    )[:3]
    assert first.risk_tier in {"urgent", "monitor", "routine"}
    assert first.cam.dtype == np.float32 and 0.0 <= first.cam.min() <= first.cam.max() <= 1.0
    assert first.cam_class == first.predicted_class
    assert first.probabilities == again.probabilities
    assert np.array_equal(first.cam, again.cam)
    assert first.ood_score == again.ood_score


def test_get_predictor_loads_once_per_process():
    assert get_predictor() is get_predictor()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.new("RGB", (640, 480), (30, 90, 200)),  # flat blue
        lambda: Image.new("RGB", (640, 480), (255, 255, 255)),  # blank white page
        lambda: Image.fromarray(
            np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
        ),  # noise
    ],
    ids=["flat-colour", "white", "noise"],
)
def test_out_of_distribution_images_are_flagged(make):
    assert get_predictor().predict(make()).ood_flag


def test_text_image_is_flagged():
    image = Image.new("RGB", (640, 480), "white")
    draw = ImageDraw.Draw(image)
    for row in range(12):
        draw.text((20, 20 + row * 36), "Jildi screening support " * 3, fill="black")
    assert get_predictor().predict(image).ood_flag


def test_serving_path_never_imports_torch_or_django():
    code = (
        "import sys, ml.predictor, ml.imaging, ml.overlay, ml.evaluate;"
        "bad = [m for m in ('torch', 'django') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_ml_package_imports_nothing_from_the_project():
    import ast
    from pathlib import Path

    project_apps = {"portal", "accounts", "diagnosis", "diseases", "django"}
    for path in Path(__file__).resolve().parents[1].glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & project_apps, path


def test_the_distance_gate_rejects_unusual_photos_but_never_hides_an_urgent_result():
    predictor = Predictor()
    predictor.ood.threshold = -1.0  # every photo now counts as unusual
    predictor.ood_threshold_by_domain = dict.fromkeys(predictor.ood_threshold_by_domain, -1.0)
    model_input, tensor = predictor.preprocess(lesion_image(seed=1, size=(300, 300)))
    _, features = predictor.infer(tensor)
    logits = np.full(len(CLASS_CODES), -5.0, dtype=np.float32)
    logits[CLASS_CODES.index("nv")] = 8.0  # confidently a mole: routine
    routine = predictor.postprocess(model_input, logits, features)
    assert routine.ood_flag and routine.ood_reason == "not_lesion"
    logits[CLASS_CODES.index("mel")] = 12.0  # confidently melanoma: urgent
    urgent = predictor.postprocess(model_input, logits, features)
    assert urgent.risk_tier == "urgent" and not urgent.ood_flag and urgent.ood_reason is None
