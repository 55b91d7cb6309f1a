"""Arabic for strings whose translations wait in locale/ar/LC_MESSAGES/pending-*.po.

Several people add strings at once, so new ones go to a pending file that is merged
into django.po later. ``pending_arabic`` compiles django.po plus the pending files into
a temporary catalogue, so tests can check the Arabic users will see before the merge
(and keep passing after it, when the pending files are gone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
import pytest

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES"


def pending_msgids() -> dict[str, str]:
    """msgid -> Arabic from every pending file."""
    out: dict[str, str] = {}
    for path in sorted(LC_MESSAGES.glob("pending-*.po")):
        out.update({entry.msgid: entry.msgstr for entry in polib.pofile(str(path)) if entry.msgid})
    return out


@pytest.fixture(name="pending_arabic")
def pending_arabic_fixture(settings: Any, tmp_path: Path) -> None:
    catalogue = polib.pofile(str(LC_MESSAGES / "django.po"))
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    for path in sorted(LC_MESSAGES.glob("pending-*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgid and (entry.msgctxt, entry.msgid) not in known:
                catalogue.append(entry)
    target = tmp_path / "locale" / "ar" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalogue.save_as_mofile(str(target / "django.mo"))
    # Changing LOCALE_PATHS makes Django drop its loaded catalogues (test signal).
    settings.LOCALE_PATHS = [tmp_path / "locale"]
