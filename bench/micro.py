"""In-process micro benchmarks: the model step and the photo decode, product vs seed-style.

Both sides run on one compute thread, on the same images, interleaved in one run, so the
ratio survives a noisy shared machine better than either absolute figure.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from bench.stats import summarize

logger = logging.getLogger(__name__)


def _timed(fn: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


class SeedStyleModel:
    """What the source papers did: eager PyTorch MobileNetV2 + the pytorch-grad-cam package."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from pytorch_grad_cam import GradCAM

        from ml.model import build_model

        torch.set_num_threads(1)
        self.torch = torch
        self.model = build_model()
        state = torch.load(model_dir / "weights.pt", map_location="cpu", weights_only=True)
        self.model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        self.model.eval()
        self.cam = GradCAM(model=self.model, target_layers=[self.model.features[-1]])

    def step(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = self.torch.from_numpy(tensor[None].copy())
        cam = self.cam(input_tensor=x, targets=None)[0]  # forward + backward, argmax class
        probs = self.torch.softmax(self.cam.outputs, dim=1)[0].detach().numpy()
        return probs, cam


def model_step(photos: list[bytes], model_dir: Path, runs: int, seed_runs: int) -> dict[str, Any]:
    from ml.imaging import load_image
    from ml.predictor import Predictor

    predictor = Predictor(model_dir)
    tensors = [predictor.preprocessing(load_image(io.BytesIO(p))) for p in photos]
    seed = SeedStyleModel(model_dir)

    # Sanity: both paths must compute the same network on the same input (raw logits; the
    # product's probabilities add its prior correction and temperature on top).
    agree, max_diff = 0, 0.0
    for tensor in tensors:
        logits, _ = predictor.run(tensor[None])
        seed_probs, _ = seed.step(tensor)
        seed_logits = seed.cam.outputs.detach().numpy()
        agree += int(np.argmax(logits) == np.argmax(seed_probs))
        max_diff = max(max_diff, float(np.abs(logits - seed_logits).max()))

    state = {"i": 0}

    def product() -> None:
        state["i"] += 1
        predictor.step(tensors[state["i"] % len(tensors)])

    def seed_style() -> None:
        state["i"] += 1
        seed.step(tensors[state["i"] % len(tensors)])

    # Interleave in rounds so both sides see the same background load.
    product_ms: list[float] = []
    seed_ms: list[float] = []
    rounds = 5
    for _ in range(rounds):
        product_ms += _timed(product, runs // rounds, warmup=3)
        seed_ms += _timed(seed_style, max(1, seed_runs // rounds), warmup=1)
    p, s = summarize(product_ms), summarize(seed_ms)
    return {
        "input_shape": list(tensors[0].shape),
        "threads": 1,
        "raw_argmax_agreement": f"{agree}/{len(tensors)}",
        "max_abs_logit_diff": round(max_diff, 5),
        "product": {"what": "ONNX Runtime + closed-form Grad-CAM (ml.predictor.Predictor.step)", **p},
        "seed_style": {"what": "eager PyTorch + pytorch-grad-cam GradCAM (forward+backward)", **s},
        "speedup_p50": round(s["p50"] / p["p50"], 1),
    }


def seed_style_decode(data: bytes) -> np.ndarray:
    """Full-resolution decode, then torchvision-style resize + normalise (no draft)."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
        small = image.resize((160, 120), Image.Resampling.BILINEAR)
    array = np.asarray(small, dtype=np.float32) / 255.0
    return array.transpose(2, 0, 1)


def decode(photos: list[bytes], model_dir: Path, runs: int, seed_runs: int) -> dict[str, Any]:
    from ml.imaging import load_image
    from ml.predictor import Predictor

    preprocessing = Predictor(model_dir, verify=False).preprocessing
    upright = load_image(io.BytesIO(photos[0]))
    state = {"i": 0}

    def product() -> None:
        state["i"] += 1
        preprocessing(load_image(io.BytesIO(photos[state["i"] % len(photos)])))

    def seed_style() -> None:
        state["i"] += 1
        seed_style_decode(photos[state["i"] % len(photos)])

    product_ms = _timed(product, runs, warmup=2)
    seed_ms = _timed(seed_style, seed_runs, warmup=1)
    with Image.open(io.BytesIO(photos[0])) as raw:
        stored_size = raw.size
    p, s = summarize(product_ms), summarize(seed_ms)
    return {
        "photo": {
            "stored_size": list(stored_size),
            "exif_orientation": 6,
            "upright_aspect": round(upright.width / upright.height, 3),
            "mean_bytes": int(sum(map(len, photos)) / len(photos)),
        },
        "product": {"what": "ml.imaging.load_image (JPEG draft, EXIF transpose) + preprocessing", **p},
        "seed_style": {"what": "full decode + EXIF transpose + resize + normalise", **s},
        "speedup_p50": round(s["p50"] / p["p50"], 1),
    }


def pipeline_stages(photos: list[bytes], model_dir: Path, runs: int) -> dict[str, Any]:
    """CPU cost of the product's two halves on one core, in-process (no HTTP, no DB, no broker).

    web: diagnosis.imaging.inspect_upload (size, sniff, header: no pixel decoded).
    worker: the steps of diagnosis.services.diagnosis_run between the DB reads/writes: decode the
    upload once (draft, frame, orient, strip), encode master + thumbnail, predict (preprocess +
    model + OOD + Grad-CAM grid) on the same decoded image.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from diagnosis.analysis import cam_grid
    from diagnosis.decoding import decode_photo
    from diagnosis.imaging import inspect_upload
    from ml.predictor import Predictor

    predictor = Predictor(model_dir)
    first = decode_photo(photos[0])
    state = {"i": 0}

    def web() -> None:
        state["i"] += 1
        inspect_upload(io.BytesIO(photos[state["i"] % len(photos)]))

    def worker() -> None:
        state["i"] += 1
        photo = decode_photo(photos[state["i"] % len(photos)])
        prediction = predictor.predict(photo.image)
        if not prediction.ood_flag:
            cam_grid(prediction)

    def cpu(fn: Callable[[], Any]) -> list[float]:
        fn()
        samples = []
        for _ in range(runs):
            start = time.process_time()
            fn()
            samples.append((time.process_time() - start) * 1000.0)
        return samples

    return {
        "stored_photo": {"size": [first.width, first.height], "bytes": len(first.jpeg)},
        "web_validate_cpu_ms": summarize(cpu(web)),
        "worker_task_cpu_ms": summarize(cpu(worker)),
    }


def run(photos: list[bytes], model_dir: Path, quick: bool) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    scale = 0.1 if quick else 1.0
    return {
        "model_step": model_step(
            photos, model_dir, runs=max(10, int(300 * scale)), seed_runs=max(5, int(60 * scale))
        ),
        "decode": decode(photos, model_dir, runs=max(5, int(60 * scale)), seed_runs=max(2, int(12 * scale))),
        "pipeline": pipeline_stages(photos, model_dir, runs=max(5, int(40 * scale))),
    }
