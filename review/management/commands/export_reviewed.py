from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from review.export import reviewed_export_imagefolder


class Command(BaseCommand):
    help = (
        "Write clinician-reviewed photos as an ImageFolder (<out>/<clinician label>/<diagnosis id>.jpg) "
        "plus labels.csv, for retraining. Labels outside the seven model classes go to 'other'."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, type=Path, help="output directory")
        parser.add_argument(
            "--model-classes-only", action="store_true", help="leave out labels outside the 7 classes"
        )
        parser.add_argument(
            "--include-cannot-tell",
            action="store_true",
            help="also export cases whose verdict was 'cannot tell from this photo'",
        )
        parser.add_argument("--force", action="store_true", help="write into a non-empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.exists() and any(out.iterdir()) and not options["force"]:
            raise CommandError(f"{out} is not empty (use --force to write into it)")
        result = reviewed_export_imagefolder(
            out_dir=out,
            exported_by=_operator(),
            model_classes_only=options["model_classes_only"],
            include_cannot_tell=options["include_cannot_tell"],
        )
        labels = " ".join(f"{k}={v}" for k, v in sorted(result.per_label.items()))
        self.stdout.write(f"written={result.written} skipped={result.skipped} {labels}".strip())


def _operator() -> str:
    """Who ran the command, for the audit log: the operating-system account and host."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        login = "unknown"
    return f"{login}@{socket.gethostname()} (manage.py export_reviewed)"
