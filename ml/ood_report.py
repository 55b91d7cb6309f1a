"""Check out-of-distribution rejection on photos that are not skin lesions.

    python -m ml.ood_report [--model DIR] [--out report.json]

Real photos: the sample images that installed libraries ship (scikit-image, scikit-learn,
matplotlib), found on disk; synthetic: flat colours, noise, gradients, text. Prints and writes
the fraction flagged per group.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ml.predictor import get_predictor

PACKAGE_SAMPLES = {
    "skimage": "data",
    "sklearn": "datasets/images",
    "matplotlib": "mpl-data/sample_data",
}
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}


def package_photos() -> list[Path]:
    """Colour photos shipped with installed libraries (skips icons and tiny or grey images)."""
    found = []
    for package, sub in PACKAGE_SAMPLES.items():
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))) / sub
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() not in PHOTO_SUFFIXES:
                continue
            with Image.open(path) as im:
                if min(im.size) >= 128 and im.mode in ("RGB", "RGBA", "P"):
                    found.append(path)
    return found


def synthetic_images(seed: int = 0) -> dict[str, Image.Image]:
    rng = np.random.default_rng(seed)
    images: dict[str, Image.Image] = {}
    for name, colour in {
        "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128),
        "red": (220, 30, 30), "blue": (30, 90, 200), "green": (40, 160, 60),
        "skin-tone": (205, 150, 130), "brown": (120, 70, 40),
    }.items():  # fmt: skip
        images[f"flat-{name}"] = Image.new("RGB", (640, 480), colour)
    for i in range(3):
        images[f"noise-{i}"] = Image.fromarray(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8))
    x = np.linspace(0, 1, 640)[None, :, None]
    y = np.linspace(0, 1, 480)[:, None, None]
    images["gradient"] = Image.fromarray(
        (np.concatenate([x + 0 * y, y + 0 * x, (x + y) / 2], 2) * 255).astype(np.uint8)
    )
    for i, (fg, bg) in enumerate([("black", "white"), ("white", "black"), ("navy", "lightyellow")]):
        im = Image.new("RGB", (640, 480), bg)
        draw = ImageDraw.Draw(im)
        for row in range(12):
            draw.text((20, 20 + row * 36), "Jildi screening support " * 3, fill=fg)
        images[f"text-{i}"] = im
    return images


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    predictor = get_predictor(args.model)
    report: dict[str, Any] = {"threshold": predictor.ood.threshold, "groups": {}}
    groups = {
        "package_photos": {p.name: Image.open(p).convert("RGB") for p in package_photos()},
        "synthetic": synthetic_images(),
    }
    for group, images in groups.items():
        results = {name: predictor.predict(im) for name, im in images.items()}
        scores = {name: r.ood_score for name, r in results.items()}
        flagged = {name: r.ood_flag for name, r in results.items()}
        report["groups"][group] = {
            "n": len(scores),
            "flagged_fraction": float(np.mean(list(flagged.values()))) if scores else None,
            "not_flagged": sorted(n for n, f in flagged.items() if not f),
            "scores": {n: round(s, 3) for n, s in scores.items()},
            "reasons": {n: r.ood_reason for n, r in results.items()},
        }
        missed = report["groups"][group]["not_flagged"]
        print(f"{group}: {sum(flagged.values())}/{len(scores)} flagged; missed: {missed}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
