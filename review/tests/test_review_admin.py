"""The audit log and feedback history in the Django admin: visible to admins only
(never to staff without the admin role), read-only; admin reads of patient data are logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from portal.testing import make_staff_user
from review.models import CaseAccessLog, Feedback
from review.tests.factories import CaseFactory
from review.tests.review_helpers import give_feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(owner: Any, clinician: Any, clinician_client: Client) -> Any:
    case = CaseFactory(owner=owner)
    clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk}))
    give_feedback(diagnosis=case, author=clinician)
    return case


def test_admin_sees_who_opened_which_case(staff_client: Client, clinician: Any, logged: Any) -> None:
    response = staff_client.get(reverse("admin:review_caseaccesslog_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert clinician.email in html
    assert str(logged.pk) in html
    entry = CaseAccessLog.objects.filter(action="view").get()
    detail = staff_client.get(reverse("admin:review_caseaccesslog_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert 'name="user_email"' not in detail.content.decode()  # shown, not editable


def test_audit_log_cannot_be_added_changed_or_deleted(staff_client: Client, logged: Any) -> None:
    entry = CaseAccessLog.objects.first()
    assert staff_client.get(reverse("admin:review_caseaccesslog_add")).status_code == 403
    url = reverse("admin:review_caseaccesslog_change", args=[entry.pk])
    staff_client.post(url, {"user_email": "forged@example.com", "action": "view"})
    entry.refresh_from_db()
    assert entry.user_email != "forged@example.com"
    assert staff_client.post(reverse("admin:review_caseaccesslog_delete", args=[entry.pk])).status_code == 403
    assert CaseAccessLog.objects.filter(pk=entry.pk).exists()


def test_feedback_versions_are_shown_read_only(staff_client: Client, logged: Any) -> None:
    feedback = Feedback.objects.get()
    response = staff_client.get(reverse("admin:review_feedback_change", args=[feedback.pk]))
    assert response.status_code == 200
    assert "versions" in response.content.decode().lower()


def test_clinicians_cannot_open_the_admin_log(clinician_client: Client, logged: Any) -> None:
    response = clinician_client.get(reverse("admin:review_caseaccesslog_changelist"))
    assert response.status_code == 302


# --- who may open the patient-data admin pages -----------------------


def _admin_urls(case: Any) -> list[str]:
    feedback = Feedback.objects.get(diagnosis=case)
    entry = CaseAccessLog.objects.first()
    return [
        reverse("admin:diagnosis_diagnosis_changelist"),
        reverse("admin:diagnosis_diagnosis_change", args=[case.pk]),
        reverse("admin:review_feedback_changelist"),
        reverse("admin:review_feedback_change", args=[feedback.pk]),
        reverse("admin:review_caseaccesslog_changelist"),
        reverse("admin:review_caseaccesslog_change", args=[entry.pk]),
        reverse("admin:review_caseclaim_changelist"),
    ]


@pytest.fixture
def staff_with_view_permissions(db: Any) -> Any:
    """Staff given every "view" permission of the diagnosis app, but no admin role."""
    user = make_staff_user("viewer@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="diagnosis"))
    return user


@pytest.mark.parametrize("who", ["staff_client", "group_admin_client"])
def test_admins_open_every_patient_data_admin_page(request: Any, logged: Any, who: str) -> None:
    client = request.getfixturevalue(who)
    for url in _admin_urls(logged):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["content_editor", "plain_staff", "staff_with_view_permissions"])
def test_staff_without_the_admin_role_get_403_on_patient_data_admin_pages(
    request: Any, logged: Any, who: str
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(who))
    before = CaseAccessLog.objects.count()
    for url in _admin_urls(logged):
        assert client.get(url).status_code == 403, url
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:diagnosis_diagnosis_changelist") not in index
    assert CaseAccessLog.objects.count() == before


def test_clinicians_are_sent_to_the_admin_login(clinician_client: Client, logged: Any) -> None:
    for url in _admin_urls(logged):
        assert clinician_client.get(url).status_code == 302, url


# --- admin reads of patient data are audit-logged ----------------------


def test_opening_a_diagnosis_in_the_admin_is_audited(staff_client: Client, admin_user: Any, logged: Any):
    CaseAccessLog.objects.all().delete()
    assert staff_client.get(reverse("admin:diagnosis_diagnosis_change", args=[logged.pk])).status_code == 200
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.user_email, entry.diagnosis) == (admin_user, admin_user.email, logged)
    assert (entry.action, entry.channel, entry.detail) == ("view", "admin", "diagnosis")


def test_opening_feedback_in_the_admin_is_audited(staff_client: Client, admin_user: Any, logged: Any):
    CaseAccessLog.objects.all().delete()
    feedback = Feedback.objects.get()
    assert staff_client.get(reverse("admin:review_feedback_change", args=[feedback.pk])).status_code == 200
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.diagnosis, entry.action, entry.channel, entry.detail) == (
        admin_user,
        logged,
        "view",
        "admin",
        "feedback",
    )


@pytest.mark.parametrize(
    ("name", "detail"), [("diagnosis_diagnosis", "diagnosis"), ("review_feedback", "feedback")]
)
def test_admin_list_pages_log_each_case_shown(
    staff_client: Client, admin_user: Any, owner: Any, clinician: Any, logged: Any, name: str, detail: str
) -> None:
    second = CaseFactory(owner=owner)
    give_feedback(diagnosis=second, author=clinician)
    CaseAccessLog.objects.all().delete()
    assert staff_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    rows = CaseAccessLog.objects.all()
    assert sorted(r.diagnosis_id for r in rows) == sorted([logged.pk, second.pk])
    assert {(r.user, r.action, r.channel, r.detail) for r in rows} == {(admin_user, "list", "admin", detail)}


def test_reading_the_audit_log_itself_writes_no_rows(staff_client: Client, logged: Any) -> None:
    before = CaseAccessLog.objects.count()
    staff_client.get(reverse("admin:review_caseaccesslog_changelist"))
    assert CaseAccessLog.objects.count() == before


def test_audit_log_shows_how_and_what_read_only(staff_client: Client, logged: Any) -> None:
    entry = CaseAccessLog.objects.filter(action="view").get()
    html = staff_client.get(reverse("admin:review_caseaccesslog_change", args=[entry.pk])).content.decode()
    assert "Clinician pages" in html  # the channel, as a label
    assert 'name="channel"' not in html
    assert 'name="detail"' not in html
