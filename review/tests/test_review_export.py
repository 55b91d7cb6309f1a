"""manage.py export_reviewed: an ImageFolder of reviewed photos by clinician label."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from diseases.tests.factories import DiseaseFactory
from review.export import reviewed_export_imagefolder
from review.models import CaseAccessLog
from review.tests.factories import CaseFactory
from review.tests.review_helpers import give_feedback

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
        d = CaseFactory(owner=owner)
        give_feedback(diagnosis=d, author=clinician, verdict=verdict, diagnosis_code=label)
        cases[key] = d
    cases["unreviewed"] = CaseFactory(owner=owner)
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


def test_export_writes_one_audit_row_per_photo_exported(tmp_path: Path, reviewed: dict[str, Any]) -> None:
    CaseAccessLog.objects.all().delete()  # the rows the feedback itself wrote
    out = tmp_path / "export"
    call_command("export_reviewed", "--out", str(out))
    rows = CaseAccessLog.objects.all()
    assert sorted(r.diagnosis_id for r in rows) == sorted(reviewed[k].pk for k in ("mel", "nv", "wart"))
    assert {(r.action, r.channel, r.user) for r in rows} == {("export", "command", None)}
    assert all("export_reviewed" in r.user_email and "@" in r.user_email for r in rows)
    assert all(str(out) in r.detail for r in rows)


def test_an_export_that_stops_half_way_still_logs_what_it_copied(
    tmp_path: Path, reviewed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    CaseAccessLog.objects.all().delete()
    real_copy = shutil.copyfileobj
    copies = []

    def copy_then_fail(src: Any, dst: Any) -> None:
        if copies:
            raise OSError("disk full")
        copies.append(1)
        real_copy(src, dst)

    monkeypatch.setattr("review.export.shutil.copyfileobj", copy_then_fail)
    with pytest.raises(OSError, match="disk full"):
        reviewed_export_imagefolder(out_dir=tmp_path / "export", exported_by="tester")
    entry = CaseAccessLog.objects.get()
    assert (entry.action, entry.user_email) == ("export", "tester")
