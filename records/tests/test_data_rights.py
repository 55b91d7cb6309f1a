"""Export (zip), account deletion (files removed at once), consent and retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User
from accounts.tokens import token_issue
from diagnosis.models import Diagnosis, Spot
from diagnosis.spots import services as spot_services
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import media_files
from records.deletion import account_delete, diagnoses_purge_expired
from review.audit import access_log_record
from review.models import CaseAccessLog, Feedback
from review.services import feedback_create

pytestmark = pytest.mark.django_db

PRIVATE = "PRIVATE-NOTE-export"


@pytest.fixture
def history(owner: Any, clinician: Any) -> list[Diagnosis]:
    spot = spot_services.spot_create(owner=owner, name="Back mole")
    first = DiagnosisFactory(owner=owner, spot=spot, with_png=True)
    second = DiagnosisFactory(owner=owner, spot=spot, risk_tier="urgent", with_png=True)
    feedback_create(
        diagnosis=second,
        author=clinician,
        verdict="agree",
        diagnosis_code="mel",
        urgency="soon",
        message="See a dermatologist.",
        private_note=PRIVATE,
    )
    return [first, second]


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_has_photos_results_and_reports(owner_client: Client, history: list[Diagnosis]) -> None:
    response = owner_client.post(reverse("records:export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = _zip(response)
    names = archive.namelist()
    assert sum(n.startswith("photos/") for n in names) == 2
    assert sum(n.startswith("heatmaps/") for n in names) == 2
    assert sum(n.startswith("reports/") for n in names) == 3  # two checks and the spot
    for name in names:
        if name.endswith(".jpg"):
            assert archive.read(name)[:2] == b"\xff\xd8"
        if name.endswith(".pdf"):
            assert archive.read(name).startswith(b"%PDF-")
    results = json.loads(archive.read("results.json"))
    assert results["account"]["email"] == "owner@example.com"
    assert [s["name"] for s in results["spots"]] == ["Back mole"]
    assert results["checks"][1]["clinician_feedback"]["message"] == "See a dermatologist."
    assert PRIVATE not in archive.read("results.json").decode()


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_export_is_post_only(owner_client: Client, method: str) -> None:
    assert getattr(owner_client, method)(reverse("records:export")).status_code == 405


def test_the_export_has_nothing_of_other_patients(other_client: Client, history: list[Diagnosis]) -> None:
    archive = _zip(other_client.post(reverse("records:export")))
    assert json.loads(archive.read("results.json"))["checks"] == []
    assert [n for n in archive.namelist() if n != "results.json"] == []


@pytest.mark.parametrize("name", ["records:my_data", "records:export", "records:delete_account"])
def test_anonymous_is_sent_to_login_from_data_pages(client: Client, name: str) -> None:
    response = client.post(reverse(name)) if name != "records:my_data" else client.get(reverse(name))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_deleting_the_account_removes_everything_at_once(
    owner: Any,
    owner_client: Client,
    history: list[Diagnosis],
    clinician: Any,
    media_root: Path,
    password: str,
) -> None:
    access_log_record(diagnosis=history[1], user=clinician, action=CaseAccessLog.Action.VIEW)
    token_issue(user=owner)
    assert media_files(media_root) and Session.objects.exists()
    ref = str(history[1].pk)
    response = owner_client.post(reverse("records:delete_account"), {"password": password})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not Diagnosis.objects.exists() and not Spot.objects.exists() and not Feedback.objects.exists()
    assert not AuthToken.objects.filter(user_id=owner.pk).exists()
    assert not Session.objects.filter(session_key=owner_client.session.session_key).exists()
    assert media_files(media_root) == []  # no hourly sweep needed
    logs = list(CaseAccessLog.objects.filter(diagnosis_ref=ref))
    assert logs and all(log.diagnosis_id is None and log.user == clinician for log in logs)
    assert owner_client.get(reverse("diagnosis:history")).status_code == 302  # signed out


def test_a_wrong_password_deletes_nothing(
    owner: Any, owner_client: Client, history: list[Diagnosis], media_root: Path
) -> None:
    response = owner_client.post(
        reverse("records:delete_account"), {"password": "wrong"}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 400
    assert "كلمة المرور غير صحيحة" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists() and Diagnosis.objects.count() == 2
    assert len(media_files(media_root)) == 6


@pytest.mark.parametrize("who", ["clinician", "admin_user", "content_editor", "plain_staff"])
def test_staff_cannot_delete_their_account_themselves(
    request: pytest.FixtureRequest, who: str, password: str
) -> None:
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    assert "delete-staff" in client.get(reverse("records:my_data")).content.decode()
    assert client.post(reverse("records:delete_account"), {"password": password}).status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_one_account_leaves_the_others(
    owner: Any, other_patient: Any, history: list[Diagnosis], media_root: Path
) -> None:
    theirs = DiagnosisFactory(owner=other_patient, with_png=True)
    token_issue(user=other_patient)
    account_delete(user=owner)
    assert list(Diagnosis.objects.all()) == [theirs]
    assert AuthToken.objects.filter(user=other_patient).count() == 1
    assert len(media_files(media_root)) == 3


def test_consent_is_off_by_default_and_changeable_in_the_profile(owner: Any, owner_client: Client) -> None:
    assert owner.training_consent is False and owner.notify_result_ready is False
    data = {"full_name": "O", "preferred_language": "en", "preferred_theme": "auto"}
    owner_client.post(
        reverse("accounts:profile"), {**data, "training_consent": "on", "notify_result_ready": "on"}
    )
    owner.refresh_from_db()
    assert owner.training_consent and owner.training_consent_at is not None and owner.notify_result_ready
    owner_client.post(reverse("accounts:profile"), data)
    owner.refresh_from_db()
    assert not owner.training_consent and not owner.notify_result_ready


def test_only_consenting_patients_are_exported_for_training(
    owner: Any, other_patient: Any, clinician: Any, clinician_client: Client, tmp_path: Path
) -> None:
    from django.core.management import call_command

    cases = []
    for patient in (owner, other_patient):
        d = DiagnosisFactory(owner=patient, review_requested=True)
        feedback_create(
            diagnosis=d,
            author=clinician,
            verdict="agree",
            diagnosis_code="nv",
            urgency="routine",
            message="m",
        )
        cases.append(d)
    User.objects.filter(pk=owner.pk).update(training_consent=True)
    assert list(Diagnosis.objects.consented_for_training()) == [cases[0]]
    call_command("export_reviewed", "--out", str(tmp_path / "out"), stdout=io.StringIO())
    exported = {p.stem for p in (tmp_path / "out").rglob("*.jpg")}
    assert exported == {str(cases[0].pk)}
    csv_text = b"".join(clinician_client.get(reverse("clinician:agreement_csv")).streaming_content).decode()
    assert str(cases[0].pk) in csv_text and str(cases[1].pk) not in csv_text


def test_retention_deletes_old_finished_checks_with_their_files(
    settings: Any, owner: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    old = DiagnosisFactory(owner=owner)
    pending = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    recent = DiagnosisFactory(owner=owner)
    long_ago = timezone.now() - timedelta(days=400)
    Diagnosis.objects.filter(pk__in=[old.pk, pending.pk]).update(created_at=long_ago)
    assert diagnoses_purge_expired() == 0  # 0 days = keep until the patient deletes them
    settings.DIAGNOSIS_RETENTION_DAYS = 365
    old_files = {media_root / f.name for f in old.file_fields()}
    with django_capture_on_commit_callbacks(execute=True):
        assert diagnoses_purge_expired() == 1
    assert set(Diagnosis.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}
    assert not old_files & set(media_files(media_root))
