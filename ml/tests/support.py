"""Markers and paths shared by the ml tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.predictor import default_model_dir

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data" / "ham10000"

needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "val").is_dir(),
    reason="HAM10000 (../shared/data/ham10000) is not present on this machine",
)
needs_model = pytest.mark.skipif(
    not (default_model_dir() / "metadata.json").is_file(),
    reason="the shipped model directory is missing",
)
