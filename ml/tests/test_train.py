from __future__ import annotations

import json

import pytest
import torch
import torchvision
from PIL import Image

from ml import batches, train
from ml.constants import CLASS_CODES
from ml.synthetic import lesion_image

pytestmark = pytest.mark.slow  # each test trains a tiny model


@pytest.fixture
def tiny_dataset(tmp_path):
    for split, n in (("train", 3), ("val", 1)):
        for i, code in enumerate(CLASS_CODES):
            folder = tmp_path / "data" / split / code
            folder.mkdir(parents=True)
            for j in range(n):
                lesion_image(seed=i * 10 + j).save(folder / f"img{j}.jpg")
    init = tmp_path / "init.pth"
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), init)
    return tmp_path / "data", init


def _args(data, init, out, *extra):
    return [
        "--data", str(data), "--init", str(init), "--out", str(out),
        "--epochs", "2", "--batch-size", "4", "--max-steps", "2",
        "--width", "64", "--height", "48", "--threads", "1", *extra,
    ]  # fmt: skip


def test_training_smoke_run_writes_checkpoints_and_log(tiny_dataset, tmp_path):
    data, init = tiny_dataset
    out = tmp_path / "run"
    best = train.main(_args(data, init, out))
    assert (out / "best.pt").is_file() and (out / "checkpoint.pt").is_file()
    rows = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1]
    assert 0.0 <= best["balanced_accuracy"] <= 1.0
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe["preprocessing"]["width"] == 64


@pytest.mark.parametrize("options", [(), ("--no-bf16", "--ema", "0")], ids=["bf16-ema", "float32-plain"])
def test_training_resumes_after_an_interruption(tiny_dataset, tmp_path, options):
    data, init = tiny_dataset
    out = tmp_path / "run"
    train.main(_args(data, init, out, "--stop-after-epoch", "0", *options))
    assert len((out / "log.jsonl").read_text().splitlines()) == 1
    train.main(_args(data, init, out, *options))
    rows = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1]  # resumed at epoch 1, not restarted


def test_resume_with_fewer_epochs_re_plans_the_schedule(tiny_dataset, tmp_path):
    data, init = tiny_dataset
    out = tmp_path / "run"
    train.main(_args(data, init, out, "--epochs", "4", "--stop-after-epoch", "0"))
    train.main(_args(data, init, out, "--epochs", "2"))
    rows = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1]
    assert rows[-1]["lr"] < rows[0]["lr"]  # annealed to the end of the shorter schedule


def test_joint_training_with_phone_photos_validates_each_kind(tiny_dataset, tmp_path):
    data, init = tiny_dataset
    phone = tmp_path / "phone"
    for split in ("train", "val"):
        for i, code in enumerate(("akiec", "bcc", "nv")):  # phone data lacks some classes
            folder = phone / split / code
            folder.mkdir(parents=True)
            lesion_image(seed=100 + i, size=(120, 120)).save(folder / "p0.jpg")
    out = tmp_path / "run"
    train.main(_args(data, init, out, "--phone-data", str(phone), "--epochs", "1"))
    row = json.loads((out / "log.jsonl").read_text().splitlines()[0])
    assert len(row["val_balanced_accuracy_by_domain"]) == 2
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe["preprocessing"]["resize"] == "centre-crop"


def test_sampler_gives_each_kind_of_photo_its_share_and_balances_classes():
    targets = torch.tensor([5] * 900 + [4] * 100 + [1] * 50 + [5] * 50)
    domains = torch.tensor([0] * 1000 + [1] * 100)
    sampler = batches.balanced_sampler(targets, 0.0, 20000, 0, domains, (0.6, 0.4))
    drawn = torch.tensor(list(sampler))
    from_phone = domains[drawn] == 1
    assert abs(from_phone.float().mean().item() - 0.4) < 0.02
    phone_classes = targets[drawn][from_phone]
    assert abs((phone_classes == 1).float().mean().item() - 0.5) < 0.03  # power 0: balanced


def test_same_seed_gives_identical_first_epoch(tiny_dataset, tmp_path):
    data, init = tiny_dataset
    losses = []
    for name in ("a", "b"):
        train.main(_args(data, init, tmp_path / name, "--stop-after-epoch", "0"))
        losses.append(json.loads((tmp_path / name / "log.jsonl").read_text())["train_loss"])
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_imagenet_weights_with_wrong_shapes_are_refused(tmp_path):
    from ml.model import build_model, load_imagenet_backbone

    bad = tmp_path / "bad.pth"
    torch.save({"features.0.0.weight": torch.zeros(1)}, bad)
    with pytest.raises(RuntimeError):
        load_imagenet_backbone(build_model(), bad)
    assert Image  # keep Pillow import used for fixture clarity
