"""manage.py export_reviewed: an ImageFolder of reviewed photos by clinician label."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from diagnosis.tests.review_helpers import give_feedback, make_case
from diseases.tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(owner: Any, clinician: Any) -> dict[str, Any]:
    DiseaseFactory(code="warts", name_en="Warts")
    cases = {}
    for key, verdict, label in (
        ("mel", "disagree", "mel"),
        ("nv", "agree", "nv"),
        ("wart", "disagree", "warts"),
        ("unsure", "cannot_tell", "nv"),
    ):
        d = make_case(owner=owner)
        give_feedback(diagnosis=d, author=clinician, verdict=verdict, diagnosis_code=label)
        cases[key] = d
    cases["unreviewed"] = make_case(owner=owner)
    return cases


def test_export_writes_imagefolder_by_clinician_label(tmp_path: Path, reviewed: dict[str, Any]) -> None:
    out = tmp_path / "export"
    call_command("export_reviewed", "--out", str(out))
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.jpg"))
    assert files == sorted(
        [
            f"mel/{reviewed['mel'].pk}.jpg",
            f"nv/{reviewed['nv'].pk}.jpg",
            f"other/{reviewed['wart'].pk}.jpg",
        ]
    )
    with reviewed["mel"].image.open("rb") as fh:
        assert (out / "mel" / f"{reviewed['mel'].pk}.jpg").read_bytes() == fh.read()
    manifest = list(csv.DictReader((out / "labels.csv").open(encoding="utf-8")))
    assert {r["path"]: r["label"] for r in manifest} == {
        f"mel/{reviewed['mel'].pk}.jpg": "mel",
        f"nv/{reviewed['nv'].pk}.jpg": "nv",
        f"other/{reviewed['wart'].pk}.jpg": "other",
    }
    assert all(r["model_version"] == "test-model-1" for r in manifest)


def test_export_options(tmp_path: Path, reviewed: dict[str, Any]) -> None:
    out = tmp_path / "only7"
    call_command("export_reviewed", "--out", str(out), "--model-classes-only", "--include-cannot-tell")
    labels = sorted(p.parent.name for p in out.rglob("*.jpg"))
    assert labels == ["mel", "nv", "nv"]


def test_export_refuses_a_non_empty_directory(tmp_path: Path, reviewed: dict[str, Any]) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(CommandError):
        call_command("export_reviewed", "--out", str(tmp_path))
    call_command("export_reviewed", "--out", str(tmp_path), "--force")
    assert (tmp_path / "keep.txt").exists()
    assert (tmp_path / "labels.csv").exists()
