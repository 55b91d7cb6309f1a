"""Class map shared by training and serving (HAM10000 ``dx`` codes, alphabetical)."""

from __future__ import annotations

CLASS_CODES: tuple[str, ...] = ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
MALIGNANT_CODES: tuple[str, ...] = ("akiec", "bcc", "mel")
