from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from diagnosis.services import diagnoses_sweep


class Command(BaseCommand):
    help = (
        "Re-queue diagnoses stuck in queued/running longer than --older-than seconds "
        "(fail those out of attempts) and remove the files of requests and tasks that died "
        "(from their pending records; --scan-storage lists the whole upload folder instead)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=int, default=300, help="seconds (default 300)")
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds (0 = run once)")
        parser.add_argument(
            "--scan-storage",
            action="store_true",
            help="list the storage for unreferenced files (one-off: files from before pending records)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        while True:
            result = diagnoses_sweep(
                older_than=timedelta(seconds=options["older_than"]), scan_storage=options["scan_storage"]
            )
            self.stdout.write(
                "requeued={requeued} failed={failed} orphans_removed={orphans_removed}".format(**result)
            )
            if not options["loop"]:
                break
            time.sleep(options["loop"])
