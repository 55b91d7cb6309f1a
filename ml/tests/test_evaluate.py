from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from ml import evaluate
from ml.constants import CLASS_CODES
from ml.synthetic import lesion_image
from ml.tests.support import SHARED_DATA, needs_model, needs_shared

pytestmark = needs_model
METRIC_KEYS = {
    "accuracy", "balanced_accuracy", "macro_f1", "macro_auc", "ece", "per_class",
    "confusion_matrix", "mel_sensitivity", "mel_specificity", "n_images", "ood_flagged_fraction",
}  # fmt: skip


def test_evaluation_cli_on_a_labelled_folder_writes_both_files(tmp_path):
    data = tmp_path / "data"
    for i, code in enumerate(("mel", "nv")):
        (data / code).mkdir(parents=True)
        for j in range(2):
            lesion_image(seed=i * 5 + j).save(data / code / f"ISIC_{i}{j}.jpg")
    masks = tmp_path / "masks"
    masks.mkdir()
    from PIL import Image

    for path in data.glob("*/*.jpg"):
        Image.new("L", (200, 150), 255).save(masks / f"{path.stem}_segmentation.png")
    evaluate.main(["--data", str(data), "--out", str(tmp_path / "out"), "--masks", str(masks)])
    with open(tmp_path / "out" / "predictions.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == evaluate.CSV_COLUMNS
    assert list(rows[0])[3:10] == [f"prob_{c}" for c in CLASS_CODES]
    assert {r["true_label"] for r in rows} == {"mel", "nv"}
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert set(metrics) >= METRIC_KEYS
    assert set(metrics["per_class"]) == {"mel", "nv"}
    assert metrics["n_images"] == 4
    assert metrics["pointing_game"] == 1.0  # a full mask always contains the maximum


def test_evaluation_cli_on_a_flat_folder_has_no_labels(tmp_path):
    data = tmp_path / "flat"
    data.mkdir()
    for j in range(3):
        lesion_image(seed=j).save(data / f"photo{j}.png")
    metrics = evaluate.main(["--data", str(data), "--out", str(tmp_path / "out")])
    assert metrics["n_images"] == 3 and "balanced_accuracy" not in metrics
    with open(tmp_path / "out" / "predictions.csv") as fh:
        assert all(r["true_label"] == "" for r in csv.DictReader(fh))


@pytest.mark.slow
@needs_shared
def test_val_balanced_accuracy_matches_the_model_card(tmp_path):
    card = (Path(__file__).resolve().parents[2] / "MODEL_CARD.md").read_text()
    stated = float(re.search(r"balanced accuracy \(val, shipped rule\): \*\*([0-9.]+)\*\*", card).group(1))
    metrics = evaluate.main(["--data", str(SHARED_DATA / "val"), "--out", str(tmp_path)])
    assert metrics["n_images"] == 1507
    assert metrics["balanced_accuracy"] == pytest.approx(stated, abs=0.005)


def test_answers_csv_is_matched_by_file_stem_and_urgent_figures_are_reported(tmp_path):
    data = tmp_path / "data"
    for i, code in enumerate(("bcc", "nv")):
        (data / code).mkdir(parents=True)
        for j in range(2):
            lesion_image(seed=i * 5 + j).save(data / code / f"PAT_{i}_{j}_1.png")
    answers = tmp_path / "metadata.csv"
    answers.write_text("img_id,age,region,bleed\nPAT_0_0_1.png,70,NOSE,True\nPAT_9_9_9.png,30,BACK,False\n")
    metrics = evaluate.main(["--data", str(data), "--out", str(tmp_path / "out"), "--answers", str(answers)])
    assert metrics["n_with_answers"] == 1  # the unmatched row is ignored, the rest have none
    assert metrics["n_malignant"] == 2
    with open(tmp_path / "out" / "predictions.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["risk_tier"] for r in rows} <= {"urgent", "monitor", "routine"}
    assert all("domain" in r for r in rows)
    tiers = {Path(r["path"]).parent.name: [] for r in rows}
    for r in rows:
        tiers[Path(r["path"]).parent.name].append(r["risk_tier"] == "urgent")
    assert metrics["urgent_sensitivity"] == pytest.approx(sum(tiers["bcc"]) / 2)
    assert metrics["urgent_specificity"] == pytest.approx(1 - sum(tiers["nv"]) / 2)
