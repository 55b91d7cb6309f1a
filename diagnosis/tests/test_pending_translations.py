"""The pending Arabic catalogue of issue 15 (merged into django.po later) is complete and sound."""

from __future__ import annotations

import re

import polib
import pytest

from diagnosis.tests.support_i18n import PENDING

pytestmark = pytest.mark.skipif(not PENDING.is_file(), reason="pending catalogue already merged")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(PENDING)) if not e.obsolete]


def test_every_pending_string_has_an_arabic_translation_and_no_fuzzy_flag() -> None:
    assert entries()
    assert [e.msgid for e in entries() if not e.translated() or "fuzzy" in e.flags] == []


def test_plurals_have_all_six_arabic_forms_and_keep_their_placeholders() -> None:
    for entry in entries():
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            assert len([f for f in forms if f]) == 6, entry.msgid
            expected = sorted(set(PLACEHOLDER.findall(entry.msgid_plural)))
            assert all(sorted(set(PLACEHOLDER.findall(f))) == expected for f in forms), entry.msgid
        else:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid))
