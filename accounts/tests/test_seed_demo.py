from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import ADMIN_GROUP, is_admin

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_three_roles_idempotently_and_prints_credentials(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert User.objects.count() == 3
    patient = User.objects.get(email="patient@jildi.local")
    clinician = User.objects.get(email="clinician@jildi.local")
    admin = User.objects.get(email="admin@jildi.local")
    assert not patient.is_clinician and not patient.is_staff
    assert clinician.is_clinician and not clinician.is_staff
    assert admin.is_staff and admin.is_superuser
    assert [is_admin(u) for u in (patient, clinician, admin)] == [False, False, True]
    assert admin.groups.filter(name=ADMIN_GROUP).exists()
    assert all(u.check_password(DEMO_PASSWORD) for u in (patient, clinician, admin))
    assert all(u.emailaddress_set.get().verified for u in (patient, clinician, admin))


def test_demo_patient_can_log_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    response = client.post("/accounts/login/", {"login": "patient@jildi.local", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_make_run_banner_matches_the_seeded_credentials():
    from pathlib import Path

    from accounts.management.commands.seed_demo import DEMO_USERS

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert DEMO_PASSWORD in makefile
    assert all(spec["email"] in makefile for spec in DEMO_USERS)


def test_demo_staff_have_two_factor_with_the_published_secret(settings, capsys):
    from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
    from accounts.mfa import has_totp
    from accounts.testing import enrol_totp, totp_code

    settings.DEBUG = True
    call_command("seed_demo")
    assert DEMO_TOTP_SECRET in capsys.readouterr().out
    patient, clinician, admin = (
        User.objects.get(email=f"{role}@jildi.local") for role in ("patient", "clinician", "admin")
    )
    assert not has_totp(patient)
    assert enrol_totp(clinician) == enrol_totp(admin) == DEMO_TOTP_SECRET
    call_command("demo_totp_code")
    assert capsys.readouterr().out.startswith(totp_code(DEMO_TOTP_SECRET))


def test_demo_totp_code_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp_code")
