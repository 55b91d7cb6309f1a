"""Time one photo end to end: upload view (header check, store, enqueue) -> broker ->
a running Celery worker (decode once, frame/orient/strip, master + thumbnail, model, Grad-CAM
grid) -> result stored in PostgreSQL.

The default photo is the benchmarks' 12-megapixel phone-style JPEG built around a real
HAM10000 validation lesion (``ml.synthetic``), so it takes the full path; a purely synthetic
blob is, correctly, rejected as not a lesion and would time the rejection path instead (the
command says so when a run does not end as "done").

Needs a running worker on the same database and broker (``make run`` starts one).
The upload goes through the real URL/view stack in this process (no HTTP socket).

    .venv/bin/python manage.py time_diagnosis              # a 12-megapixel lesion photo
    .venv/bin/python manage.py time_diagnosis --photo IMG_1234.jpg --runs 5
"""

from __future__ import annotations

import io
import os
import statistics
import time
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from PIL import Image

TIMER_EMAIL = "time-diagnosis@jildi.invalid"


ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT.parent / "shared" / "data" / "ham10000"))


def lesion_photo() -> bytes:
    """The benchmarks' first 12-MP photo: built on a real validation lesion when the data set is
    here (so the model takes the full path), else the synthetic one."""
    from ml.synthetic import lesion_sources, phone_photo, phone_photo_from_lesion

    sources = lesion_sources(DATA_DIR)
    return phone_photo_from_lesion(sources[0], 0) if sources else phone_photo(0)


class Command(BaseCommand):
    help = "Time one photo from upload to stored result through a running Celery worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--photo", type=Path, help="JPEG/PNG/HEIC (default: a 12-MP lesion photo)")
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
        photo = options["photo"].read_bytes() if options["photo"] else lesion_photo()
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
        if any(status != Diagnosis.Status.DONE for _, _, status in rows):
            self.stdout.write(
                self.style.WARNING(
                    "some runs did not end as done: they timed the rejection or failure path, not the "
                    "full path (model + heat map)"
                )
            )
        if rows:
            totals = [t for _, t, _ in rows]
            self.stdout.write(
                f"median upload->result {statistics.median(totals) * 1000:.0f} ms "
                f"(first run includes the worker loading the model if it had not yet)"
            )
