"""Time one photo end to end: upload view (validate, strip, store, enqueue) -> broker ->
a running Celery worker (decode, model, heat map) -> result stored in PostgreSQL.

Needs a running worker on the same database and broker (``make run`` starts one).
The upload goes through the real URL/view stack in this process (no HTTP socket).

    .venv/bin/python manage.py time_diagnosis              # a generated 12-megapixel JPEG
    .venv/bin/python manage.py time_diagnosis --photo IMG_1234.jpg --runs 5
"""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from PIL import Image

TIMER_EMAIL = "time-diagnosis@jildi.invalid"


def twelve_megapixel_jpeg(seed: int = 0) -> bytes:
    """4000x3000 'skin' photo with sensor noise and a lesion, stored sideways (EXIF 6) like phones do."""
    rng = np.random.default_rng(seed)
    h, w = 3000, 4000
    yy, xx = np.mgrid[0:h:4, 0:w:4].astype(np.float32)
    base = np.stack([215 - yy / 60, 170 - yy / 80, 145 - xx / 100], axis=-1)
    lesion = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) < (h / 7) ** 2
    base[lesion] = [105, 70, 55]
    small = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    big = np.asarray(small.resize((w, h), Image.Resampling.BILINEAR), dtype=np.int16)
    big = big + rng.normal(0, 6, big.shape).astype(np.int16)
    img = Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


class Command(BaseCommand):
    help = "Time one photo from upload to stored result through a running Celery worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--photo", type=Path, help="JPEG/PNG/HEIC to upload (default: generated 12 MP)")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--timeout", type=float, default=60.0)
        parser.add_argument("--keep", action="store_true", help="keep the diagnoses (default: delete)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        from accounts.models import User
        from diagnosis.models import Diagnosis
        from diagnosis.services import diagnosis_delete
        from portal.celery import app

        if not app.control.ping(timeout=2.0):
            raise CommandError("No Celery worker answered. Start one (make run, or celery -A portal worker).")
        photo = options["photo"].read_bytes() if options["photo"] else twelve_megapixel_jpeg()
        with Image.open(io.BytesIO(photo)) as probe:
            size = probe.size
        self.stdout.write(
            f"photo: {size[0]}x{size[1]} ({size[0] * size[1] / 1e6:.1f} MP), {len(photo) / 1e6:.2f} MB"
        )

        user, _ = User.objects.get_or_create(email=TIMER_EMAIL, defaults={"full_name": "Timer"})
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
        client.force_login(user)
        rows: list[tuple[float, float, str]] = []
        try:
            for run in range(options["runs"]):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.post(
                    reverse("diagnosis:upload"),
                    {"image": SimpleUploadedFile("photo.jpg", photo, "image/jpeg"), "review_requested": ""},
                )
                uploaded = time.perf_counter() - started
                upload_cpu = time.process_time() - cpu_started
                if response.status_code != 302:
                    raise CommandError(f"upload failed with HTTP {response.status_code}")
                diagnosis = Diagnosis.objects.filter(owner=user).latest("created_at")
                deadline = started + options["timeout"]
                while True:
                    diagnosis.refresh_from_db(fields=["status", "model_version", "error_message"])
                    if diagnosis.status not in Diagnosis.PENDING_STATUSES:
                        break
                    if time.perf_counter() > deadline:
                        raise CommandError(f"no result within {options['timeout']}s (is a worker running?)")
                    time.sleep(0.005)
                total = time.perf_counter() - started
                rows.append((uploaded, total, diagnosis.status))
                self.stdout.write(
                    f"run {run + 1}: upload view {uploaded * 1000:.0f} ms (cpu {upload_cpu * 1000:.0f} ms), "
                    f"upload->result {total * 1000:.0f} ms, status {diagnosis.status} "
                    f"{diagnosis.error_message}(model {diagnosis.model_version})"
                )
        finally:
            if not options["keep"]:
                for diagnosis in Diagnosis.objects.filter(owner=user):
                    diagnosis_delete(diagnosis=diagnosis)
                user.delete()
        if rows:
            totals = [t for _, t, _ in rows]
            self.stdout.write(
                f"median upload->result {statistics.median(totals) * 1000:.0f} ms "
                f"(first run includes the worker loading the model if it had not yet)"
            )
