"""The one Arabic catalogue must be complete: no untranslated or fuzzy entries."""

from __future__ import annotations

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def _active_entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def test_arabic_catalogue_has_no_untranslated_entries():
    missing = [entry.msgid for entry in _active_entries() if not entry.translated()]
    assert missing == [], f"{len(missing)} untranslated: {missing[:20]}"


def test_arabic_catalogue_has_no_fuzzy_entries():
    fuzzy = [entry.msgid for entry in _active_entries() if "fuzzy" in entry.flags]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_arabic_plurals_have_all_six_forms():
    incomplete = [
        entry.msgid
        for entry in _active_entries()
        if entry.msgid_plural and len([v for v in entry.msgstr_plural.values() if v]) != 6
    ]
    assert incomplete == []


def test_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|\{\w+\}")
    broken = []
    for entry in _active_entries():
        expected = sorted(placeholder.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if text and not entry.msgid_plural and sorted(placeholder.findall(text)) != expected:
                broken.append(entry.msgid)
    assert broken == []
