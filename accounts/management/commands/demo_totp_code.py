"""Print the current two-factor code of the demo clinician and admin. Refuses unless DEBUG is on."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
from accounts.testing import totp_code


class Command(BaseCommand):
    help = "Print the demo staff accounts' current TOTP code (the published demo secret). DEBUG only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp_code only runs with DEBUG=1.")
        left = mfa_settings.TOTP_PERIOD - int(time.time()) % mfa_settings.TOTP_PERIOD
        self.stdout.write(f"{totp_code(DEMO_TOTP_SECRET)}  (valid for {left} more seconds)")
