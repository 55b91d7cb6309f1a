from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from diseases.models import Disease
from diseases.services import SEED_PATH

pytestmark = pytest.mark.django_db

MODEL_CLASS_CODES = {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}


def _entry(code: str, **overrides) -> dict:
    entry = {
        "code": code,
        "name_en": f"{code} name",
        "name_ar": f"اسم {code}",
        "category": "benign",
        "urgency": "routine",
        "is_model_class": True,
        "summary_en": "Summary.",
        "summary_ar": "ملخص.",
        "symptoms_en": "Symptoms.",
        "symptoms_ar": "الأعراض.",
        "causes_en": "Causes.",
        "causes_ar": "الأسباب.",
        "when_to_see_doctor_en": "See a doctor if it changes.",
        "when_to_see_doctor_ar": "راجع الطبيب إذا تغيّرت.",
        "diagnosis_treatment_en": "Treatment.",
        "diagnosis_treatment_ar": "العلاج.",
        "prevention_en": "Prevention.",
        "prevention_ar": "الوقاية.",
        "published": True,
        "last_reviewed": "2026-11-01",
        "references": [
            {"title": "DermNet", "url": "https://dermnetnz.org/topics/x"},
            {"title": "NHS", "url": "https://www.nhs.uk/conditions/x/"},
        ],
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "diseases.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def _seed(path: Path) -> str:
    out = StringIO()
    call_command("seed_diseases", file=path, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_creates_pages_with_references(tmp_path):
    path = _write(tmp_path, [_entry("mel", category="cancer"), _entry("nv")])

    output = _seed(path)

    assert "2 created, 0 updated" in output
    mel = Disease.objects.get(code="mel")
    assert mel.category == "cancer"
    assert mel.name_ar == "اسم mel"
    assert str(mel.last_reviewed) == "2026-11-01"
    assert [r.title for r in mel.references.all()] == ["DermNet", "NHS"]


def test_seed_is_idempotent_and_replaces_references(tmp_path):
    path = _write(tmp_path, [_entry("mel"), _entry("nv")])
    _seed(path)
    ids = dict(Disease.objects.values_list("code", "pk"))

    changed = _entry(
        "mel",
        summary_en="Better summary.",
        references=[
            {"title": "WHO", "url": "https://www.who.int/x"},
            {"title": "AAD", "url": "https://www.aad.org/x"},
            {"title": "NHS", "url": "https://www.nhs.uk/x"},
        ],
    )
    output = _seed(_write(tmp_path, [changed, _entry("nv")]))
    _seed(_write(tmp_path, [changed, _entry("nv")]))

    assert "0 created, 2 updated" in output
    assert dict(Disease.objects.values_list("code", "pk")) == ids
    mel = Disease.objects.get(code="mel")
    assert mel.summary_en == "Better summary."
    assert [r.title for r in mel.references.all()] == ["WHO", "AAD", "NHS"]
    assert Disease.objects.get(code="nv").references.count() == 2


def test_invalid_entry_fails_loudly_and_loads_nothing(tmp_path):
    path = _write(tmp_path, [_entry("mel"), _entry("nv", name_ar="")])

    with pytest.raises(CommandError, match="nv"):
        _seed(path)

    assert Disease.objects.count() == 0


def test_bad_reference_url_is_rejected(tmp_path):
    path = _write(tmp_path, [_entry("mel", references=[{"title": "x", "url": "javascript:x"}])])

    with pytest.raises(CommandError, match="reference"):
        _seed(path)


def test_missing_seed_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        _seed(tmp_path / "missing.json")


def test_shipped_seed_loads_and_covers_the_model_classes():
    """The real content file: valid, every page bilingual, model classes present."""
    _seed(SEED_PATH)

    published = Disease.objects.filter(published=True)
    assert set(published.values_list("code", flat=True)) >= MODEL_CLASS_CODES
    assert (
        set(Disease.objects.filter(is_model_class=True).values_list("code", flat=True)) == MODEL_CLASS_CODES
    )
    for disease in published:
        assert disease.references.count() >= 2, disease.code


def test_seed_keeps_pages_a_curator_reviewed_after_the_seed_date(tmp_path):
    path = _write(tmp_path, [_entry("mel", last_reviewed="2026-11-01")])
    _seed(path)
    Disease.objects.filter(code="mel").update(summary_en="Curated in the admin.", last_reviewed="2026-11-20")

    output = _seed(path)

    assert "Kept" in output and "mel" in output
    assert Disease.objects.get(code="mel").summary_en == "Curated in the admin."

    out = StringIO()
    call_command("seed_diseases", file=path, force=True, stdout=out)
    assert Disease.objects.get(code="mel").summary_en == "Summary."
