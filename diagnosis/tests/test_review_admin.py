"""The audit log and feedback history in the Django admin: visible to admins, read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diagnosis.models import CaseAccessLog, Feedback
from diagnosis.tests.review_helpers import give_feedback, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(owner: Any, clinician: Any, clinician_client: Client) -> Any:
    case = make_case(owner=owner)
    clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk}))
    give_feedback(diagnosis=case, author=clinician)
    return case


def test_admin_sees_who_opened_which_case(staff_client: Client, clinician: Any, logged: Any) -> None:
    response = staff_client.get(reverse("admin:diagnosis_caseaccesslog_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert clinician.email in html
    assert str(logged.pk) in html
    entry = CaseAccessLog.objects.filter(action="view").get()
    detail = staff_client.get(reverse("admin:diagnosis_caseaccesslog_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert 'name="user_email"' not in detail.content.decode()  # shown, not editable


def test_audit_log_cannot_be_added_changed_or_deleted(staff_client: Client, logged: Any) -> None:
    entry = CaseAccessLog.objects.first()
    assert staff_client.get(reverse("admin:diagnosis_caseaccesslog_add")).status_code == 403
    url = reverse("admin:diagnosis_caseaccesslog_change", args=[entry.pk])
    staff_client.post(url, {"user_email": "forged@example.com", "action": "view"})
    entry.refresh_from_db()
    assert entry.user_email != "forged@example.com"
    assert (
        staff_client.post(reverse("admin:diagnosis_caseaccesslog_delete", args=[entry.pk])).status_code == 403
    )
    assert CaseAccessLog.objects.filter(pk=entry.pk).exists()


def test_feedback_versions_are_shown_read_only(staff_client: Client, logged: Any) -> None:
    feedback = Feedback.objects.get()
    response = staff_client.get(reverse("admin:diagnosis_feedback_change", args=[feedback.pk]))
    assert response.status_code == 200
    assert "versions" in response.content.decode().lower()


def test_clinicians_cannot_open_the_admin_log(clinician_client: Client, logged: Any) -> None:
    response = clinician_client.get(reverse("admin:diagnosis_caseaccesslog_changelist"))
    assert response.status_code == 302
