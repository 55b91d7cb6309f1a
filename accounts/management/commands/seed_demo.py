"""Create demo accounts for local development. Refuses to run unless DEBUG is on."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import requires_mfa
from accounts.services import user_grant_admin
from accounts.testing import enrol_totp

DEMO_PASSWORD = "jildi-demo-2026"
# The demo clinician and admin must use two-factor sign-in like every staff account; they share
# this published TOTP secret (add it to any authenticator app, or run `manage.py demo_totp_code`).
DEMO_TOTP_SECRET = "JILDIDEMOSTAFFTOTPJILDIDEMOSTAFF"

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "patient@jildi.local", "full_name": "Demo Patient", "role": "patient"},
    {"email": "clinician@jildi.local", "full_name": "Dr Demo Clinician", "role": "clinician"},
    {"email": "admin@jildi.local", "full_name": "Demo Admin", "role": "admin"},
]


class Command(BaseCommand):
    help = "Create (or refresh) a demo patient, clinician and admin. DEBUG only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=1: it creates accounts with known passwords.")
        with transaction.atomic():
            for spec in DEMO_USERS:
                self._ensure(spec)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role']:<10} {spec['email']}")
        self.stdout.write(
            "Clinician and admin sign in with two-factor sign-in: add the TOTP secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app (issuer Jildi), or print the current "
            "code with `manage.py demo_totp_code`."
        )

    def _ensure(self, spec: dict[str, Any]) -> User:
        role = spec["role"]
        user, _created = User.objects.get_or_create(email=spec["email"])
        user.full_name = spec["full_name"]
        user.is_active = True
        user.is_clinician = role == "clinician"
        user.is_staff = role == "admin"
        user.is_superuser = role == "admin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if role == "admin":
            # Superuser already makes an admin; the group says so explicitly too
            # (is_staff alone never does: accounts.roles).
            user_grant_admin(user=user)
        if requires_mfa(user):
            enrol_totp(user, DEMO_TOTP_SECRET)
        return user
