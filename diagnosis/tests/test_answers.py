"""The six questions and the profile answers: optional, stored as given at upload, passed to the
model, shown to the owner and to clinicians (never to other patients), and exported."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from diagnosis.answers import EXPORT_COLUMNS, age_from_birth_year, answers_snapshot, model_answers
from diagnosis.models import Diagnosis
from diagnosis.services import diagnosis_run
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import PHONE_RELIABILITY, FakePredictor
from review.models import Feedback, Urgency, Verdict

pytestmark = pytest.mark.django_db

ANSWERED = {
    "duration": "months",
    "itches": "no",
    "grew": "yes",
    "hurts": "",
    "changed": "yes",
    "bleeds": "no",
    "raised": "",
}


def post_upload(client: Client, **fields: Any) -> Any:
    payload = {
        "image": SimpleUploadedFile("IMG_0001.jpg", images.jpeg(), content_type="image/jpeg"),
        "body_site": "back",
        "review_requested": "on",
        **fields,
    }
    return client.post(reverse("diagnosis:upload"), payload)


@pytest.fixture
def profiled_owner(owner: Any) -> Any:
    owner.birth_year = timezone.now().year - 41
    owner.sex = "female"
    owner.fitzpatrick = 4
    owner.save()
    return owner


def test_the_upload_and_camera_pages_ask_the_six_questions_all_optional(owner_client: Client) -> None:
    for name in ("diagnosis:upload", "diagnosis:camera"):
        html = owner_client.get(reverse(name)).content.decode()
        for question in (
            "How long has the spot been there?",
            "Does it itch?",
            "Has it grown?",
            "Does it hurt?",
            "Has it changed colour or shape?",
            "Does it bleed?",
            "Is it raised above the skin around it?",
        ):
            assert question in html, (name, question)
        assert "all optional" in html
        # "Not sure" is preselected for every question: skipping is the default.
        assert html.count('value="" autocomplete="off" checked') == 6
        for crop in ("crop_x", "crop_y", "crop_width", "crop_height"):
            assert f'name="{crop}"' in html
        assert "vendor/cropperjs/cropper.min.js" in html and "js/diagnosis/framing.js" in html


def test_answers_are_stored_as_given_with_the_profile_at_that_time(
    profiled_owner: Any, enqueued: Any
) -> None:
    client = Client()
    client.force_login(profiled_owner)
    assert post_upload(client, **ANSWERED).status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.answers == {
        "age": 41,
        "sex": "female",
        "fitzpatrick": 4,
        "body_site": "back",
        "duration": "months",
        "itches": False,
        "grew": True,
        "changed": True,
        "bleeds": False,
    }
    # A later profile edit does not rewrite the earlier check.
    profiled_owner.sex = "male"
    profiled_owner.save()
    diagnosis.refresh_from_db()
    assert diagnosis.answers["sex"] == "female"


def test_a_patient_who_skips_everything_still_gets_a_result(
    owner_client: Client, enqueued: Any, fake_predictor: FakePredictor
) -> None:
    response = owner_client.post(
        reverse("diagnosis:upload"), {"image": SimpleUploadedFile("a.jpg", images.jpeg())}
    )
    assert response.status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.answers == {}
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.DONE


def test_an_invalid_answer_is_a_form_error_not_a_crash(owner_client: Client, enqueued: Any) -> None:
    response = post_upload(owner_client, itches="maybe", duration="forever")
    assert response.status_code == 400 and Diagnosis.objects.count() == 0


def test_the_worker_passes_the_answers_to_the_model_and_stores_its_view_of_the_photo(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml import predictor as ml_predictor

    fake = FakePredictor(
        tier="monitor",
        top="nv",
        domain="phone",
        domain_probability=0.93,
        reliability={"phone": PHONE_RELIABILITY},
        uses_answers=True,
    )
    monkeypatch.setattr(ml_predictor, "get_predictor", lambda *a, **k: fake)
    stored = {"age": 41, "sex": "female", "body_site": "back", "grew": True, "duration": "months"}
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED, answers=stored)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    given = fake.answers[0]
    assert (given.age, given.sex, given.body_site, given.grew, given.duration) == (
        41,
        "female",
        "back",
        True,
        "months",
    )
    assert given.itches is None
    assert diagnosis.domain == "phone" and diagnosis.domain_probability == pytest.approx(0.93)
    assert diagnosis.answers_used == ["age", "sex", "body_site", "grew"]
    assert diagnosis.reliability == PHONE_RELIABILITY


def test_a_model_without_domain_head_or_reliability_stores_nothing_invented(
    owner: Any, fake_predictor: FakePredictor
) -> None:
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED, answers={"grew": True})
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.DONE
    assert (diagnosis.domain, diagnosis.domain_probability, diagnosis.reliability) == ("", None, {})
    assert diagnosis.answers_used == []


def test_rejected_photos_keep_the_models_reason(owner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ml import predictor as ml_predictor

    monkeypatch.setattr(
        ml_predictor, "get_predictor", lambda *a, **k: FakePredictor(ood=True, ood_reason="blurry")
    )
    diagnosis = DiagnosisFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    diagnosis_run(diagnosis_id=str(diagnosis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.status == Diagnosis.Status.REJECTED and diagnosis.ood_reason == "blurry"


def test_stored_answers_that_ml_refuses_fall_back_to_the_image_alone() -> None:
    assert model_answers({"fitzpatrick": 9, "sex": "x"}).answered() == ()
    assert model_answers({"grew": True, "unknown_key": 1}).grew is True


def test_age_comes_from_the_year_of_birth() -> None:
    assert age_from_birth_year(1985, today_year=2026) == 41
    assert age_from_birth_year(None) is None
    assert age_from_birth_year(2030, today_year=2026) is None


def test_snapshot_refuses_an_unknown_duration(owner: Any) -> None:
    with pytest.raises(ValueError):
        answers_snapshot(owner=owner, given={"duration": "forever"})


# --- who sees them --------------------------------------------------------------------------


@pytest.fixture
def answered_case(owner: Any) -> Diagnosis:
    return DiagnosisFactory(
        owner=owner,
        review_requested=True,
        answers={"age": 58, "sex": "male", "duration": "years", "bleeds": True, "itches": False},
        crop_box=[10, 10, 200, 200],
    )


def test_the_owner_sees_their_answers_on_the_result(owner_client: Client, answered_case: Diagnosis) -> None:
    html = owner_client.get(answered_case.get_absolute_url()).content.decode()
    assert 'data-testid="your-answers"' in html
    assert "More than a year" in html and "Bleeds" in html


def test_clinicians_see_every_answer_on_the_case_page(
    clinician_client: Client, answered_case: Diagnosis
) -> None:
    html = clinician_client.get(reverse("clinician:case", kwargs={"pk": answered_case.pk})).content.decode()
    assert 'data-testid="case-answers"' in html
    for text in ("58 years", "Male", "More than a year", "Bleeds", "Itches", "Hurts"):
        assert text in html, text
    assert "The patient framed the spot" in html


def test_other_patients_never_see_the_answers(
    other_client: Client, other_patient: Any, answered_case: Diagnosis
) -> None:
    for url in (
        answered_case.get_absolute_url(),
        reverse("diagnosis:status", kwargs={"pk": answered_case.pk}),
        reverse("clinician:case", kwargs={"pk": answered_case.pk}),
    ):
        response = other_client.get(url)
        assert response.status_code == 404
        assert "More than a year" not in response.content.decode()
    api = APIClient()
    api.force_authenticate(other_patient)
    response = api.get(reverse("api:diagnosis-detail", kwargs={"pk": answered_case.pk}))
    assert response.status_code == 404 and "years" not in response.content.decode()
    assert api.get(reverse("api:diagnosis-list")).json()["count"] == 0


def test_the_api_shows_the_answers_to_the_owner_and_the_clinician(
    owner: Any, clinician: Any, answered_case: Diagnosis
) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    body = api.get(reverse("api:diagnosis-detail", kwargs={"pk": answered_case.pk})).json()
    assert body["answers"]["duration"] == "years" and body["answers"]["bleeds"] is True
    assert body["framed"] is True
    api.force_authenticate(clinician)
    case = api.get(reverse("api:clinician-case", kwargs={"pk": answered_case.pk})).json()
    assert case["answers"] == answered_case.answers


def test_api_upload_takes_the_answers_and_omitted_means_not_answered(owner: Any, enqueued: Any) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    payload = {
        "image": SimpleUploadedFile("spot.jpg", images.jpeg()),
        "duration": "weeks",
        "itches": "true",
        "grew": "false",
        "hurts": "",
    }
    response = api.post(reverse("api:diagnosis-list"), payload, format="multipart")
    assert response.status_code == 202, response.json()
    assert Diagnosis.objects.get().answers == {"duration": "weeks", "itches": True, "grew": False}
    bad = api.post(
        reverse("api:diagnosis-list"),
        {"image": SimpleUploadedFile("s.jpg", images.jpeg()), "bleeds": "perhaps"},
        format="multipart",
    )
    assert bad.status_code == 400 and "bleeds" in bad.json()["error"]["fields"]


# --- exports ------------------------------------------------------------------------------


@pytest.fixture
def reviewed(answered_case: Diagnosis, clinician: Any) -> Feedback:
    from review.services import feedback_create

    # Exports include consenting patients only.
    type(answered_case.owner).objects.filter(pk=answered_case.owner_id).update(training_consent=True)
    return feedback_create(
        diagnosis=answered_case,
        author=clinician,
        verdict=Verdict.AGREE,
        diagnosis_code="nv",
        urgency=Urgency.ROUTINE,
        message="An ordinary mole.",
    )


def test_the_agreement_csv_carries_the_answers(clinician_client: Client, reviewed: Feedback) -> None:
    response = clinician_client.get(reverse("clinician:agreement_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert all(column in header for column in EXPORT_COLUMNS)
    assert row["answer_age"] == "58" and row["answer_bleeds"] == "yes" and row["answer_itches"] == "no"
    assert row["answer_hurts"] == "" and row["framed"] == "yes"


def test_the_retraining_export_carries_the_answers(reviewed: Feedback, tmp_path: Path) -> None:
    from django.core.management import call_command

    call_command("export_reviewed", "--out", str(tmp_path / "export"), stdout=io.StringIO())
    with (tmp_path / "export" / "labels.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["answer_duration"] == "years" and rows[0]["answer_sex"] == "male"
