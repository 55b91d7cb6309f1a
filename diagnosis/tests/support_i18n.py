"""Arabic for strings that are still in a pending catalogue (not yet merged into django.po).

New strings of issue 15 live in ``locale/ar/LC_MESSAGES/pending-framing.po`` until they are merged
into the one Arabic catalogue. ``pending_arabic`` compiles that file into a temporary locale
directory placed first on LOCALE_PATHS (Django merges catalogues from every locale path), so
tests can check the Arabic wording today; once merged and removed, it does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
import pytest

PENDING = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "pending-framing.po"


@pytest.fixture
def pending_arabic(settings: Any, tmp_path: Path) -> Path | None:
    if not PENDING.is_file():
        return None
    target = tmp_path / "locale" / "ar" / "LC_MESSAGES"
    target.mkdir(parents=True)
    polib.pofile(str(PENDING)).save_as_mofile(str(target / "django.mo"))
    # Changing LOCALE_PATHS makes Django drop its cached catalogues (setting_changed signal).
    settings.LOCALE_PATHS = [str(tmp_path / "locale"), *settings.LOCALE_PATHS]
    return target / "django.mo"
