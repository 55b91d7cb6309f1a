from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diseases.services import SEED_PATH, SeedError, disease_seed_load_file


class Command(BaseCommand):
    help = (
        "Load the disease library seed (diseases/seed/diseases.json). Idempotent: pages are "
        "matched by code and updated; their references are replaced. A page whose "
        "last_reviewed date is later than the seed entry's (edited by a curator) is kept "
        "unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=SEED_PATH, help="Seed JSON file (default: %(default)s)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite pages even if a curator reviewed them after the seed entry's date.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = disease_seed_load_file(path=options["file"], force=options["force"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if result.unknown_keys:
            self.stderr.write(
                self.style.WARNING("Ignored unknown keys: " + ", ".join(sorted(result.unknown_keys)))
            )
        if result.kept:
            self.stdout.write(
                "Kept (reviewed in the admin after the seed; use --force to overwrite): "
                + ", ".join(sorted(result.kept))
            )
        self.stdout.write(
            self.style.SUCCESS(f"Disease library seeded: {result.created} created, {result.updated} updated.")
        )
