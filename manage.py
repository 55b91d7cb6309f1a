#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys

_SECRETLESS_COMMANDS = {"makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    if len(sys.argv) > 1 and sys.argv[1] in _SECRETLESS_COMMANDS:
        # Catalogue tooling never signs anything, so it may run without a real key.
        os.environ.setdefault("SECRET_KEY", "catalogue-tooling-only-not-a-secret")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
