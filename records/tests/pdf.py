"""pdftotext (poppler-utils) for report tests."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: make system-deps installs poppler-utils")
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    # pdftotext wraps right-to-left runs in bidi embedding marks; the words are what we check.
    return BIDI_MARKS.sub("", done.stdout.decode("utf-8"))
