"""API: clinician review — queue, case, claim/release, feedback create/amend; who may
do what; the patient sees the feedback but never the private note."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from diagnosis.models import Diagnosis
from diagnosis.tests.factories import DiagnosisFactory
from portal.testing import error_code, token_client
from review.models import CaseAccessLog, CaseClaim, Feedback
from review.tests.factories import CaseFactory
from review.tests.review_helpers import (
    PATIENT_MESSAGE,
    PRIVATE_NOTE,
    feedback_post_data,
    give_feedback,
    make_other_clinician,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("api:clinician-queue")
COUNTS_URL = reverse("api:clinician-queue-counts")

# (url name, method, status for a clinician on an open case)
CASE_ENDPOINTS = [
    ("api:clinician-case", "get", 200),
    ("api:clinician-case-image", "get", 200),
    ("api:clinician-case-thumbnail", "get", 200),
    ("api:clinician-case-heatmap", "get", 200),
    ("api:clinician-case-claim", "post", 200),
    ("api:clinician-case-claim", "delete", 204),
    ("api:clinician-case-feedback", "post", 201),
]
# Staff accounts without a review role (a content editor; is_staff alone) are like patients: 404.
NON_REVIEWERS = {
    "owner": 404,
    "other_patient": 404,
    "content_editor": 404,
    "plain_staff": 404,
    "anonymous": 401,
    "unverified": 403,
}
REVIEWERS = ["clinician", "admin", "group_admin"]


@pytest.fixture
def case(owner: Any) -> Diagnosis:
    return CaseFactory(owner=owner, body_site="back", note="It itches sometimes")


@pytest.fixture
def clients(
    api_clients: dict[str, APIClient], content_editor: Any, plain_staff: Any, group_admin: Any
) -> dict[str, APIClient]:
    """The API token clients by role, plus the staff accounts of the access matrix."""
    return {
        **api_clients,
        "content_editor": token_client(content_editor),
        "plain_staff": token_client(plain_staff),
        "group_admin": token_client(group_admin),
    }


def url(name: str, case: Diagnosis) -> str:
    return reverse(name, kwargs={"pk": case.pk})


def call(client: APIClient, method: str, target: str) -> Any:
    if method == "post" and target.endswith("/feedback/"):
        return client.post(target, feedback_post_data(), format="json")
    return getattr(client, method)(target)


@pytest.mark.parametrize(("name", "method", "expected"), CASE_ENDPOINTS)
@pytest.mark.parametrize("who", REVIEWERS)
def test_reviewers_can_use_every_case_endpoint(
    clients: dict[str, APIClient], case: Diagnosis, who: str, name: str, method: str, expected: int
) -> None:
    assert call(clients[who], method, url(name, case)).status_code == expected


@pytest.mark.parametrize(("name", "method", "_expected"), CASE_ENDPOINTS)
@pytest.mark.parametrize(("who", "expected"), sorted(NON_REVIEWERS.items()))
def test_patients_staff_without_a_role_anonymous_and_unverified_cannot(
    clients: dict[str, APIClient],
    case: Diagnosis,
    who: str,
    expected: int,
    name: str,
    method: str,
    _expected: int,
) -> None:
    response = call(clients[who], method, url(name, case))
    assert response.status_code == expected
    assert response.json()["error"]["code"]
    assert not CaseClaim.objects.exists() and not Feedback.objects.exists()
    assert not CaseAccessLog.objects.exists()


@pytest.mark.parametrize("who", ["content_editor", "plain_staff"])
def test_staff_without_a_review_role_cannot_read_or_overwrite_feedback(
    clients: dict[str, APIClient],
    case: Diagnosis,
    clinician: Any,
    who: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    give_feedback(diagnosis=case, author=clinician)
    mail.outbox.clear()
    target = url("api:clinician-case-feedback", case)
    read = clients[who].get(target)
    assert read.status_code == 404
    assert PRIVATE_NOTE not in read.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = clients[who].put(target, feedback_post_data(message="Editor's own text"), format="json")
    assert response.status_code == 404
    feedback = Feedback.objects.get()
    assert (feedback.version, feedback.message, feedback.author) == (1, PATIENT_MESSAGE, clinician)
    assert mail.outbox == []


@pytest.mark.parametrize("target", [QUEUE_URL, COUNTS_URL])
@pytest.mark.parametrize(
    ("who", "expected"), [*((who, 200) for who in REVIEWERS), *sorted(NON_REVIEWERS.items())]
)
def test_queue_access(
    clients: dict[str, APIClient], case: Diagnosis, target: str, who: str, expected: int
) -> None:
    assert clients[who].get(target).status_code == expected


def test_case_without_review_request_or_own_case_is_404(owner: Any, clinician: Any) -> None:
    private = DiagnosisFactory(owner=owner, review_requested=False)
    own = CaseFactory(owner=clinician)
    client = token_client(clinician)
    assert client.get(url("api:clinician-case", private)).status_code == 404
    assert client.get(url("api:clinician-case", own)).status_code == 404


def test_queue_lists_cases_urgent_first_without_personal_data(owner: Any, clinician: Any) -> None:
    routine = CaseFactory(owner=owner, risk_tier=Diagnosis.Risk.ROUTINE)
    urgent = CaseFactory(owner=owner, risk_tier=Diagnosis.Risk.URGENT)
    DiagnosisFactory(owner=owner, review_requested=False)
    body = token_client(clinician).get(QUEUE_URL).json()
    assert [row["id"] for row in body["results"]] == [str(urgent.pk), str(routine.pk)]
    text = str(body)
    assert owner.email not in text and owner.full_name not in text
    assert token_client(clinician).get(QUEUE_URL, {"risk": "urgent"}).json()["count"] == 1
    assert token_client(clinician).get(QUEUE_URL, {"state": "bogus"}).status_code == 400


def test_claim_shows_as_taken_and_blocks_others(case: Diagnosis, clinician: Any) -> None:
    colleague = make_other_clinician()
    response = token_client(clinician).post(url("api:clinician-case-claim", case))
    assert response.status_code == 200
    assert response.json()["is_mine"] is True
    theirs = token_client(colleague)
    row = theirs.get(QUEUE_URL, {"state": "taken"}).json()["results"][0]
    assert row["claim"]["clinician"] == "Dr Clara Clinician" and row["claim"]["is_mine"] is False
    blocked = theirs.post(url("api:clinician-case-claim", case))
    assert blocked.status_code == 409
    assert error_code(blocked) == "conflict"
    assert (
        theirs.post(url("api:clinician-case-feedback", case), feedback_post_data(), format="json").status_code
        == 409
    )
    assert theirs.delete(url("api:clinician-case-claim", case)).status_code == 409
    assert CaseClaim.objects.get().clinician == clinician


def test_feedback_create_then_amend_keeps_versions_and_notifies(
    case: Diagnosis, clinician: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(url("api:clinician-case-feedback", case), feedback_post_data(), format="json")
    assert created.status_code == 201
    assert created.json()["version"] == 1
    again = client.post(url("api:clinician-case-feedback", case), feedback_post_data(), format="json")
    assert again.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        amended = client.put(
            url("api:clinician-case-feedback", case), feedback_post_data(urgency="emergency"), format="json"
        )
    assert amended.status_code == 200
    body = amended.json()
    assert body["version"] == 2 and body["urgency"] == "emergency"
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert body["private_note"] == PRIVATE_NOTE
    assert len(mail.outbox) == 2
    assert client.get(url("api:clinician-case-feedback", case)).json()["version"] == 2


def test_amendment_without_private_note_keeps_the_current_note(case: Diagnosis, clinician: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    target = url("api:clinician-case-feedback", case)
    data = feedback_post_data(urgency="emergency")
    del data["private_note"]
    response = token_client(clinician).put(target, data, format="json")
    assert response.status_code == 200
    assert response.json()["private_note"] == PRIVATE_NOTE
    feedback = Feedback.objects.get()
    assert (feedback.version, feedback.urgency, feedback.private_note) == (2, "emergency", PRIVATE_NOTE)
    assert feedback.versions.get(number=2).private_note == PRIVATE_NOTE


def test_amendment_with_an_empty_private_note_clears_it(case: Diagnosis, clinician: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    target = url("api:clinician-case-feedback", case)
    response = token_client(clinician).put(target, feedback_post_data(private_note=""), format="json")
    assert response.status_code == 200
    assert Feedback.objects.get().private_note == ""
    assert Feedback.objects.get().versions.get(number=1).private_note == PRIVATE_NOTE  # history kept


def test_amending_missing_feedback_is_404(case: Diagnosis, clinician: Any) -> None:
    response = token_client(clinician).put(
        url("api:clinician-case-feedback", case), feedback_post_data(), format="json"
    )
    assert response.status_code == 404


def test_only_the_author_or_an_admin_may_amend(case: Diagnosis, clinician: Any, admin_user: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    colleague = make_other_clinician()
    target = url("api:clinician-case-feedback", case)
    assert token_client(colleague).put(target, feedback_post_data(), format="json").status_code == 409
    assert token_client(admin_user).put(target, feedback_post_data(), format="json").status_code == 200


def test_feedback_validation_uses_the_sites_rules(case: Diagnosis, clinician: Any) -> None:
    client = token_client(clinician)
    target = url("api:clinician-case-feedback", case)
    response = client.post(
        target, feedback_post_data(diagnosis_code="other", diagnosis_other=""), format="json"
    )
    assert response.status_code == 400
    assert "diagnosis_other" in response.json()["error"]["fields"]
    response = client.post(target, feedback_post_data(diagnosis_code="not-a-disease"), format="json")
    assert response.status_code == 400
    assert "diagnosis_code" in response.json()["error"]["fields"]
    assert not Feedback.objects.exists()


def test_patient_sees_feedback_but_never_the_private_note(
    case: Diagnosis, owner: Any, clinician: Any
) -> None:
    give_feedback(diagnosis=case, author=clinician)
    client = token_client(owner)
    detail = client.get(reverse("api:diagnosis-detail", kwargs={"pk": case.pk}))
    listing = client.get(reverse("api:diagnosis-list"))
    assert detail.json()["review"]["message"] == PATIENT_MESSAGE
    assert detail.json()["review"]["urgency"] == "routine"
    assert listing.json()["results"][0]["review"]["message"] == PATIENT_MESSAGE
    for response in (detail, listing):
        assert PRIVATE_NOTE not in response.content.decode()
        assert "private_note" not in response.content.decode()


def test_opening_a_case_is_audit_logged_and_shows_the_note(case: Diagnosis, clinician: Any) -> None:
    body = token_client(clinician).get(url("api:clinician-case", case)).json()
    assert body["note"] == "It itches sometimes"
    assert body["can_edit_feedback"] is True
    assert CaseAccessLog.objects.filter(user=clinician, action=CaseAccessLog.Action.VIEW).count() == 1
    assert CaseAccessLog.objects.get().channel == CaseAccessLog.Channel.API


def test_case_lists_only_earlier_checks_the_patient_asked_to_have_reviewed(
    case: Diagnosis, owner: Any, clinician: Any
) -> None:
    shared = CaseFactory(owner=owner, body_site="face")
    private = DiagnosisFactory(owner=owner, body_site="neck", review_requested=False)
    Diagnosis.objects.filter(pk__in=[shared.pk, private.pk]).update(
        created_at=case.created_at.replace(year=case.created_at.year - 1)
    )
    body = token_client(clinician).get(url("api:clinician-case", case)).json()
    assert [e["id"] for e in body["earlier"]] == [str(shared.pk)]


@pytest.mark.parametrize("field", ["image", "thumbnail", "heatmap"])
def test_every_file_download_is_audit_logged(case: Diagnosis, clinician: Any, field: str) -> None:
    response = token_client(clinician).get(url(f"api:clinician-case-{field}", case))
    assert response.status_code == 200
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.user_email, entry.diagnosis) == (clinician, clinician.email, case)
    assert (entry.action, entry.detail, entry.channel) == ("download", field, "api")


def test_reading_the_feedback_is_audit_logged(case: Diagnosis, clinician: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    CaseAccessLog.objects.all().delete()
    assert token_client(clinician).get(url("api:clinician-case-feedback", case)).status_code == 200
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.diagnosis, entry.action, entry.detail, entry.channel) == (
        clinician,
        case,
        "view",
        "feedback",
        "api",
    )


def test_review_actions_record_the_api_channel(case: Diagnosis, clinician: Any) -> None:
    client = token_client(clinician)
    client.post(url("api:clinician-case-claim", case))
    client.post(url("api:clinician-case-feedback", case), feedback_post_data(), format="json")
    assert list(CaseAccessLog.objects.order_by("pk").values_list("action", "channel")) == [
        ("claim", "api"),
        ("feedback", "api"),
    ]


def test_reviewed_case_cannot_be_claimed(case: Diagnosis, clinician: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    colleague = make_other_clinician()
    assert token_client(colleague).post(url("api:clinician-case-claim", case)).status_code == 409
