"""API: clinician review — queue, case, claim/release, feedback create/amend; who may
do what; the patient sees the feedback but never the private note."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from diagnosis.models import CaseAccessLog, CaseClaim, Diagnosis, Feedback
from diagnosis.tests.factories import make_diagnosis
from diagnosis.tests.review_helpers import (
    PATIENT_MESSAGE,
    PRIVATE_NOTE,
    feedback_post_data,
    give_feedback,
    make_case,
    make_other_clinician,
)
from portal.tests.api_support import (  # noqa: F401  (fixtures)
    api_clients_fixture,
    clear_throttles_fixture,
    error_code,
    token_client,
    unverified_fixture,
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
NON_REVIEWERS = {"owner": 404, "other_patient": 404, "anonymous": 401, "unverified": 403}


@pytest.fixture
def case(owner: Any) -> Diagnosis:
    return make_case(owner=owner, body_site="back", note="It itches sometimes")


def url(name: str, case: Diagnosis) -> str:
    return reverse(name, kwargs={"pk": case.pk})


def call(client: APIClient, method: str, target: str) -> Any:
    if method == "post" and target.endswith("/feedback/"):
        return client.post(target, feedback_post_data(), format="json")
    return getattr(client, method)(target)


@pytest.mark.parametrize(("name", "method", "expected"), CASE_ENDPOINTS)
@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_reviewers_can_use_every_case_endpoint(
    api_clients: dict[str, APIClient], case: Diagnosis, who: str, name: str, method: str, expected: int
) -> None:
    assert call(api_clients[who], method, url(name, case)).status_code == expected


@pytest.mark.parametrize(("name", "method", "_expected"), CASE_ENDPOINTS)
@pytest.mark.parametrize(("who", "expected"), sorted(NON_REVIEWERS.items()))
def test_patients_anonymous_and_unverified_cannot(
    api_clients: dict[str, APIClient],
    case: Diagnosis,
    who: str,
    expected: int,
    name: str,
    method: str,
    _expected: int,
) -> None:
    response = call(api_clients[who], method, url(name, case))
    assert response.status_code == expected
    assert response.json()["error"]["code"]
    assert not CaseClaim.objects.exists() and not Feedback.objects.exists()


@pytest.mark.parametrize("target", [QUEUE_URL, COUNTS_URL])
@pytest.mark.parametrize(
    ("who", "expected"), [("clinician", 200), ("admin", 200), *sorted(NON_REVIEWERS.items())]
)
def test_queue_access(
    api_clients: dict[str, APIClient], case: Diagnosis, target: str, who: str, expected: int
) -> None:
    assert api_clients[who].get(target).status_code == expected


def test_case_without_review_request_or_own_case_is_404(owner: Any, clinician: Any) -> None:
    private = make_diagnosis(owner=owner, review_requested=False)
    own = make_case(owner=clinician)
    client = token_client(clinician)
    assert client.get(url("api:clinician-case", private)).status_code == 404
    assert client.get(url("api:clinician-case", own)).status_code == 404


def test_queue_lists_cases_urgent_first_without_personal_data(owner: Any, clinician: Any) -> None:
    routine = make_case(owner=owner, risk_tier=Diagnosis.Risk.ROUTINE)
    urgent = make_case(owner=owner, risk_tier=Diagnosis.Risk.URGENT)
    make_diagnosis(owner=owner, review_requested=False)
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


def test_reviewed_case_cannot_be_claimed(case: Diagnosis, clinician: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    colleague = make_other_clinician()
    assert token_client(colleague).post(url("api:clinician-case-claim", case)).status_code == 409
