"""Measure what checking (web) and decoding (worker) one upload cost, in a fresh process.

    python -m diagnosis.tests.decode_probe FILE  ->  {"code": ..., "rss_mb": ..., "cpu_s": ...}

Django and Pillow are imported first, as in a running web process; then the peak RSS is
reset (``/proc/self/clear_refs``) and the upload is validated. ``rss_mb`` is how far the
peak resident set rose above where it started; ``cpu_s`` counts every thread (libheif and
libwebp may decode on threads of their own).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diagnosis.decoding import validate_upload

    data = Path(sys.argv[1]).read_bytes()
    upload = SimpleUploadedFile("probe", data, content_type="application/octet-stream")
    del data
    with contextlib.suppress(OSError):  # reset the peak so only the validation counts (Linux >= 4.0)
        Path("/proc/self/clear_refs").write_text("5")
    start_kb = _status_kb("VmRSS")
    cpu = time.process_time()
    try:
        clean = validate_upload(upload)
        code, size = "ok", [clean.width, clean.height]
    except ValidationError as exc:
        code, size = str(exc.code), None
    cpu_s = time.process_time() - cpu
    peak_kb = _status_kb("VmHWM")
    print(json.dumps({"code": code, "size": size, "rss_mb": (peak_kb - start_kb) / 1024, "cpu_s": cpu_s}))


if __name__ == "__main__":
    main()
