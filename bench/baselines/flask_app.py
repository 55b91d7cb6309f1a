"""Seed-style baseline: what the source papers' demo apps do, all inside the request.

A minimal synchronous Flask app: read the upload, decode it at full resolution, run an
eager PyTorch MobileNetV2 (the same trained weights as the product, loaded from
``ml/models/<dir>/weights.pt`` through ``ml.model.build_model``), compute Grad-CAM with
the ``pytorch-grad-cam`` package (forward + backward pass), blend the heat map with
``show_cam_on_image``, write the upload and the overlay to disk and answer with JSON.

It gets the product's input size (read from the shipped model's metadata: 176x176 for model 3, smaller than
the papers' usual 224x224) and one torch thread per process, so it is not handicapped; run it
with one process per core:

    gunicorn -w 2 -b 127.0.0.1:8100 bench.baselines.flask_app:app
"""

from __future__ import annotations

import io
import json
import os
import secrets
import tempfile
from pathlib import Path

import numpy as np
import torch
from flask import Flask, Response, jsonify, request
from PIL import Image, ImageOps
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.image import show_cam_on_image
from torchvision import transforms

from ml.constants import CLASS_CODES
from ml.model import build_model

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = Path(os.environ.get("JILDI_MODEL_DIR") or ROOT / "ml" / "models" / "jildi-mnv2-v3")
OUT_DIR = Path(os.environ.get("BASELINE_OUT_DIR") or tempfile.mkdtemp(prefix="jildi-flask-baseline-"))
OUT_DIR.mkdir(parents=True, exist_ok=True)

torch.set_num_threads(int(os.environ.get("BASELINE_TORCH_THREADS", "1")))
_meta = json.loads((MODEL_DIR / "metadata.json").read_text())
_pre = _meta["preprocessing"]
SIZE = (int(_pre["height"]), int(_pre["width"]))

model = build_model()
_state = torch.load(MODEL_DIR / "weights.pt", map_location="cpu", weights_only=True)
model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in _state.items()})
model.eval()
cam = GradCAM(model=model, target_layers=[model.features[-1]])
transform = transforms.Compose(
    [
        transforms.Resize(SIZE),
        transforms.ToTensor(),
        transforms.Normalize(mean=_pre["mean"], std=_pre["std"]),
    ]
)

app = Flask(__name__)


@app.get("/health")
def health() -> tuple[str, int]:
    return "ok", 200


@app.post("/predict")
def predict() -> Response:
    upload = request.files["image"]
    data = upload.read()
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    name = secrets.token_hex(8)
    (OUT_DIR / f"{name}.jpg").write_bytes(data)
    x = transform(image).unsqueeze(0)
    grayscale = cam(input_tensor=x, targets=None)[0]
    probs = torch.softmax(cam.outputs, dim=1)[0].detach().numpy()
    rgb = np.asarray(image.resize((SIZE[1], SIZE[0])), dtype=np.float32) / 255.0
    overlay = show_cam_on_image(rgb, grayscale, use_rgb=True)
    Image.fromarray(overlay).save(OUT_DIR / f"{name}-cam.png")
    top = int(np.argmax(probs))
    return jsonify(
        {
            "prediction": CLASS_CODES[top],
            "confidence": float(probs[top]),
            "probabilities": {c: float(p) for c, p in zip(CLASS_CODES, probs, strict=True)},
            "heatmap": f"{name}-cam.png",
        }
    )
