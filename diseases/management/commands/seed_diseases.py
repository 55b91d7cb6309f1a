from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diseases.services import SEED_PATH, SeedError, disease_seed_load_file


class Command(BaseCommand):
    help = (
        "Load the disease library seed (diseases/seed/diseases.json). Idempotent: pages are "
        "matched by code and updated; their references are replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=SEED_PATH, help="Seed JSON file (default: %(default)s)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = disease_seed_load_file(path=options["file"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if result.unknown_keys:
            self.stderr.write(
                self.style.WARNING("Ignored unknown keys: " + ", ".join(sorted(result.unknown_keys)))
            )
        self.stdout.write(
            self.style.SUCCESS(f"Disease library seeded: {result.created} created, {result.updated} updated.")
        )
