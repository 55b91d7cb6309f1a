"""Clinician area views: who may open which URL, what the patient sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from diagnosis.models import Diagnosis
from diagnosis.tests.factories import DiagnosisFactory
from review.models import CaseAccessLog, CaseClaim, Feedback
from review.services import case_claim
from review.tests.factories import CaseFactory
from review.tests.review_helpers import (
    PATIENT_MESSAGE,
    PRIVATE_NOTE,
    feedback_post_data,
    give_feedback,
    make_other_clinician,
)

pytestmark = pytest.mark.django_db

CASE_GET_URLS = ["clinician:case", "clinician:image", "clinician:thumbnail", "clinician:heatmap"]
AREA_GET_URLS = ["clinician:queue", "clinician:agreement", "clinician:agreement_csv"]
CASE_POST_URLS = ["clinician:claim", "clinician:release", "clinician:assign", "clinician:feedback"]
# Signed in but not reviewers: patients, and staff accounts with no review role (a content
# editor is staff for the disease library only; is_staff alone is no role at all).
NON_REVIEWERS = ["owner_client", "other_client", "content_editor_client", "plain_staff_client"]
REVIEWERS = ["clinician_client", "staff_client", "group_admin_client"]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(owner: Any) -> Diagnosis:
    return CaseFactory(owner=owner, body_site="back", note="It itches sometimes")


# --- anonymous and patients -------------------------------------------------------------


@pytest.mark.parametrize("name", AREA_GET_URLS)
def test_anonymous_is_sent_to_login_from_the_clinician_area(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", CASE_GET_URLS + CASE_POST_URLS)
def test_anonymous_is_sent_to_login_from_case_urls(client: Client, case: Diagnosis, name: str) -> None:
    url = reverse(name, kwargs={"pk": case.pk})
    response = client.post(url) if name in CASE_POST_URLS else client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not CaseClaim.objects.exists()


@pytest.mark.parametrize("who", NON_REVIEWERS)
@pytest.mark.parametrize("name", AREA_GET_URLS)
def test_patients_editors_and_plain_staff_get_404_in_the_clinician_area(request: Any, who: str, name: str):
    assert request.getfixturevalue(who).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("who", NON_REVIEWERS)
@pytest.mark.parametrize("name", CASE_GET_URLS + CASE_POST_URLS)
def test_patients_editors_and_plain_staff_get_404_on_case_urls(
    request: Any, case: Diagnosis, who: str, name: str
) -> None:
    client = request.getfixturevalue(who)
    url = reverse(name, kwargs={"pk": case.pk})
    data = feedback_post_data() if name == "clinician:feedback" else {}
    response = client.post(url, data) if name in CASE_POST_URLS else client.get(url)
    assert response.status_code == 404
    assert not CaseClaim.objects.exists()
    assert not Feedback.objects.exists()
    assert not CaseAccessLog.objects.exists()


@pytest.mark.parametrize("who", ["content_editor_client", "plain_staff_client"])
def test_staff_without_a_review_role_cannot_overwrite_feedback(
    request: Any, clinician: Any, case: Diagnosis, who: str
) -> None:
    give_feedback(diagnosis=case, author=clinician)
    url = reverse("clinician:feedback", kwargs={"pk": case.pk})
    response = request.getfixturevalue(who).post(url, feedback_post_data(message="Editor's own text"))
    assert response.status_code == 404
    feedback = Feedback.objects.get()
    assert (feedback.version, feedback.message, feedback.author) == (1, PATIENT_MESSAGE, clinician)


@pytest.mark.parametrize("who", ["content_editor_client", "plain_staff_client"])
def test_staff_without_a_review_role_see_no_review_queue_link(request: Any, case: Diagnosis, who: str):
    html = request.getfixturevalue(who).get(reverse("home")).content.decode()
    assert reverse("clinician:queue") not in html


@pytest.mark.parametrize("who", REVIEWERS)
def test_reviewers_see_the_review_queue_link(request: Any, who: str) -> None:
    html = request.getfixturevalue(who).get(reverse("home")).content.decode()
    assert reverse("clinician:queue") in html


# --- clinicians and admins --------------------------------------------------------------


@pytest.mark.parametrize("who", REVIEWERS)
@pytest.mark.parametrize("name", AREA_GET_URLS)
def test_clinicians_and_admins_open_the_clinician_area(request: Any, case: Diagnosis, who: str, name: str):
    assert request.getfixturevalue(who).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("who", REVIEWERS)
@pytest.mark.parametrize("name", CASE_GET_URLS)
def test_clinicians_and_admins_open_a_requested_case(request: Any, case: Diagnosis, who: str, name: str):
    response = request.getfixturevalue(who).get(reverse(name, kwargs={"pk": case.pk}))
    assert response.status_code == 200


@pytest.mark.parametrize("name", CASE_GET_URLS)
def test_case_without_review_request_is_404_for_clinicians(clinician_client: Client, owner: Any, name: str):
    private = CaseFactory(owner=owner, review_requested=False)
    assert clinician_client.get(reverse(name, kwargs={"pk": private.pk})).status_code == 404


def test_case_still_being_analysed_is_404_for_clinicians(clinician_client: Client, owner: Any) -> None:
    queued = CaseFactory(owner=owner, status=Diagnosis.Status.QUEUED)
    assert clinician_client.get(reverse("clinician:case", kwargs={"pk": queued.pk})).status_code == 404


def test_clinician_cannot_review_their_own_photo(clinician: Any, clinician_client: Client) -> None:
    own = CaseFactory(owner=clinician)
    assert clinician_client.get(reverse("clinician:case", kwargs={"pk": own.pk})).status_code == 404


def test_clinician_gets_404_on_the_patient_result_page(clinician_client: Client, case: Diagnosis) -> None:
    """The patient pages (and their delete/retry actions) stay owner-only."""
    assert clinician_client.get(case.get_absolute_url()).status_code == 404
    assert clinician_client.post(reverse("diagnosis:delete", kwargs={"pk": case.pk})).status_code == 404
    assert Diagnosis.objects.filter(pk=case.pk).exists()


def test_case_page_shows_what_review_needs_and_no_personal_data(
    clinician_client: Client, case: Diagnosis, owner: Any
) -> None:
    earlier_same_site = CaseFactory(owner=owner, body_site="back")
    earlier_other_site = CaseFactory(owner=owner, body_site="face")
    Diagnosis.objects.filter(pk__in=[earlier_same_site.pk, earlier_other_site.pk]).update(
        created_at=case.created_at.replace(year=case.created_at.year - 1)
    )
    html = clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk})).content.decode()
    assert "It itches sometimes" in html
    assert reverse("clinician:image", kwargs={"pk": case.pk}) in html
    assert 'id="heatmap-toggle"' in html
    assert "Mole (melanocytic nevus)" in html  # AI top-3
    assert owner.email not in html
    assert owner.full_name not in html
    assert html.count('data-testid="earlier-item"') == 2
    # Same body site first.
    assert html.index("same site") < html.index("Face")


def test_earlier_checks_list_only_those_the_patient_asked_to_have_reviewed(
    clinician_client: Client, case: Diagnosis, owner: Any
) -> None:
    shared = CaseFactory(owner=owner, body_site="face", predicted_class="nv")
    private = DiagnosisFactory(
        owner=owner, body_site="neck", predicted_class="bcc", risk_tier="urgent", review_requested=False
    )
    Diagnosis.objects.filter(pk__in=[shared.pk, private.pk]).update(
        created_at=case.created_at.replace(year=case.created_at.year - 1)
    )
    response = clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk}))
    assert [e.pk for e in response.context["earlier"]] == [shared.pk]
    html = response.content.decode()
    assert html.count('data-testid="earlier-item"') == 1
    assert "Neck" not in html


def test_opening_a_case_is_audited(clinician: Any, clinician_client: Client, case: Diagnosis) -> None:
    clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk}))
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.diagnosis, entry.action) == (clinician, case, CaseAccessLog.Action.VIEW)
    assert entry.user_email == clinician.email
    assert entry.channel == CaseAccessLog.Channel.WEB


@pytest.mark.parametrize("name", ["image", "thumbnail", "heatmap"])
@pytest.mark.parametrize("who", ["clinician", "admin_user"])
def test_every_file_download_is_audited(request: Any, case: Diagnosis, who: str, name: str) -> None:
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse(f"clinician:{name}", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    entry = CaseAccessLog.objects.get()
    assert (entry.user, entry.user_email, entry.diagnosis, entry.diagnosis_ref) == (
        user,
        user.email,
        case,
        str(case.pk),
    )
    assert (entry.action, entry.detail, entry.channel) == ("download", name, "web")
    assert entry.at is not None


def test_agreement_csv_is_audited_once_per_case_it_contains(
    clinician: Any, clinician_client: Client, owner: Any
) -> None:
    reviewed = [CaseFactory(owner=owner) for _ in range(2)]
    for d in reviewed:
        give_feedback(diagnosis=d, author=clinician)
    CaseFactory(owner=owner)  # waiting: not in the file, not logged
    CaseAccessLog.objects.all().delete()  # the feedback rows; only the export matters here
    response = clinician_client.get(reverse("clinician:agreement_csv"))
    text = b"".join(response.streaming_content).decode()
    rows = CaseAccessLog.objects.filter(action="export")
    assert sorted(r.diagnosis_id for r in rows) == sorted(d.pk for d in reviewed)
    assert all(str(r.diagnosis_id) in text for r in rows)
    assert {(r.user, r.channel, r.detail) for r in rows} == {(clinician, "web", "agreement CSV")}
    assert CaseAccessLog.objects.count() == 2


def test_clinician_claims_then_gives_feedback(clinician: Any, clinician_client: Client, case: Diagnosis):
    response = clinician_client.post(reverse("clinician:claim", kwargs={"pk": case.pk}))
    assert response.status_code == 302
    assert CaseClaim.objects.get(diagnosis=case).clinician == clinician
    response = clinician_client.post(
        reverse("clinician:feedback", kwargs={"pk": case.pk}), feedback_post_data()
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(diagnosis=case)
    assert (feedback.verdict, feedback.diagnosis_code, feedback.urgency) == ("disagree", "mel", "soon")
    assert not CaseClaim.objects.filter(diagnosis=case).exists()  # done: out of the queue


def test_feedback_form_requires_text_for_other(clinician_client: Client, case: Diagnosis) -> None:
    url = reverse("clinician:feedback", kwargs={"pk": case.pk})
    response = clinician_client.post(url, feedback_post_data(diagnosis_code="other", diagnosis_other=""))
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    response = clinician_client.post(
        url, feedback_post_data(diagnosis_code="other", diagnosis_other="Seborrhoeic wart")
    )
    assert response.status_code == 302
    assert Feedback.objects.get().diagnosis_other == "Seborrhoeic wart"


def test_another_clinician_sees_the_case_is_taken_and_cannot_act(clinician: Any, case: Diagnosis) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    colleague = client_for(make_other_clinician())
    html = colleague.get(reverse("clinician:case", kwargs={"pk": case.pk})).content.decode()
    assert 'data-state="taken"' in html
    assert "Taken by Dr Clara Clinician" in html
    assert 'data-testid="feedback-form"' not in html
    queue = colleague.get(reverse("clinician:queue")).content.decode()
    assert "Taken by Dr Clara Clinician" in queue

    colleague.post(reverse("clinician:claim", kwargs={"pk": case.pk}))
    colleague.post(reverse("clinician:release", kwargs={"pk": case.pk}))
    assert CaseClaim.objects.get(diagnosis=case).clinician == clinician
    response = colleague.post(reverse("clinician:feedback", kwargs={"pk": case.pk}), feedback_post_data())
    assert response.status_code == 403
    assert not Feedback.objects.exists()
    assert colleague.post(reverse("clinician:assign", kwargs={"pk": case.pk})).status_code == 404


@pytest.mark.parametrize("name", CASE_GET_URLS)
def test_another_clinician_may_still_read_a_claimed_case(clinician: Any, case: Diagnosis, name: str) -> None:
    """A claim reserves the writing, not the reading (a second opinion stays possible)."""
    case_claim(diagnosis=case, clinician=clinician)
    colleague = client_for(make_other_clinician())
    assert colleague.get(reverse(name, kwargs={"pk": case.pk})).status_code == 200


def test_another_clinician_cannot_amend_feedback(clinician: Any, case: Diagnosis) -> None:
    give_feedback(diagnosis=case, author=clinician)
    colleague = client_for(make_other_clinician())
    response = colleague.post(reverse("clinician:feedback", kwargs={"pk": case.pk}), feedback_post_data())
    assert response.status_code == 403
    assert Feedback.objects.get().version == 1


def test_admin_reassigns_a_claimed_case(clinician: Any, staff_client: Client, case: Diagnosis) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    colleague = make_other_clinician()
    response = staff_client.post(
        reverse("clinician:assign", kwargs={"pk": case.pk}), {"clinician": colleague.pk}
    )
    assert response.status_code == 302
    claim = CaseClaim.objects.get(diagnosis=case)
    assert claim.clinician == colleague
    assert claim.assigned_by is not None


def test_admin_may_release_someone_elses_claim(clinician: Any, staff_client: Client, case: Diagnosis) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    staff_client.post(reverse("clinician:release", kwargs={"pk": case.pk}))
    assert not CaseClaim.objects.exists()


# --- queue --------------------------------------------------------------------------------


def test_queue_sorts_urgent_first_then_oldest_and_filters(
    clinician_client: Client, owner: Any, other_patient: Any
) -> None:
    routine_old = CaseFactory(owner=owner, risk_tier="routine", body_site="face")
    urgent_new = CaseFactory(owner=other_patient, risk_tier="urgent", body_site="back")
    urgent_old = CaseFactory(owner=owner, risk_tier="urgent", body_site="face")
    rejected = CaseFactory(owner=owner, status=Diagnosis.Status.REJECTED)
    CaseFactory(owner=owner, review_requested=False, risk_tier="urgent")  # not in the queue
    base = urgent_new.created_at
    for offset, d in ((-30, routine_old), (-20, urgent_old), (-10, rejected)):
        Diagnosis.objects.filter(pk=d.pk).update(created_at=base.replace(microsecond=0) + _minutes(offset))

    response = clinician_client.get(reverse("clinician:queue"))
    rows = [d.pk for d in response.context["page"].object_list]
    assert rows == [urgent_old.pk, urgent_new.pk, routine_old.pk, rejected.pk]
    assert response.context["counts"]["pending"] == 4
    assert response.context["counts"]["risk_urgent"] == 2

    filtered = clinician_client.get(reverse("clinician:queue"), {"risk": "urgent", "body_site": "face"})
    assert [d.pk for d in filtered.context["page"].object_list] == [urgent_old.pk]


def test_queue_tabs_count_claimed_and_reviewed(clinician: Any, clinician_client: Client, owner: Any) -> None:
    mine, taken, reviewed, _open = (CaseFactory(owner=owner) for _ in range(4))
    case_claim(diagnosis=mine, clinician=clinician)
    case_claim(diagnosis=taken, clinician=make_other_clinician())
    give_feedback(diagnosis=reviewed, author=clinician)
    counts = clinician_client.get(reverse("clinician:queue")).context["counts"]
    assert {k: counts[k] for k in ("pending", "open", "mine", "taken", "reviewed")} == {
        "pending": 3,
        "open": 1,
        "mine": 1,
        "taken": 1,
        "reviewed": 1,
    }
    mine_page = clinician_client.get(reverse("clinician:queue"), {"state": "mine"})
    assert [d.pk for d in mine_page.context["page"].object_list] == [mine.pk]


def _minutes(n: int) -> Any:
    from datetime import timedelta

    return timedelta(minutes=n)


# --- what the patient sees ---------------------------------------------------------------


def test_patient_sees_feedback_but_never_the_private_note(
    clinician: Any, owner_client: Client, case: Diagnosis
) -> None:
    give_feedback(diagnosis=case, author=clinician, urgency="soon")
    for url in (case.get_absolute_url(), reverse("diagnosis:status", kwargs={"pk": case.pk})):
        html = owner_client.get(url).content.decode()
        assert PATIENT_MESSAGE in html
        assert 'data-testid="clinician-feedback"' in html
        assert "See a dermatologist within 2 weeks" in html
        assert PRIVATE_NOTE not in html
        assert "PRIVATE-NOTE" not in html
    history = owner_client.get(reverse("diagnosis:history")).content.decode()
    assert 'data-testid="history-reviewed"' in history
    assert PRIVATE_NOTE not in history


def test_clinician_sees_the_private_note(clinician: Any, clinician_client: Client, case: Diagnosis) -> None:
    give_feedback(diagnosis=case, author=clinician)
    html = clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk})).content.decode()
    assert PRIVATE_NOTE in html


def test_history_has_no_badge_before_review(owner_client: Client, case: Diagnosis) -> None:
    history = owner_client.get(reverse("diagnosis:history")).content.decode()
    assert 'data-testid="history-reviewed"' not in history


def test_other_patient_cannot_read_the_feedback(clinician: Any, other_client: Client, case: Diagnosis):
    give_feedback(diagnosis=case, author=clinician)
    assert other_client.get(case.get_absolute_url()).status_code == 404


def test_amending_through_the_form_keeps_history_and_emails_again(
    clinician_client: Client, case: Diagnosis, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    url = reverse("clinician:feedback", kwargs={"pk": case.pk})
    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.post(url, feedback_post_data(urgency="routine", message="First look: routine."))
    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.post(url, feedback_post_data(urgency="emergency", message="On reflection: today."))
    assert [m.to for m in mail.outbox] == [[owner.email], [owner.email]]
    html = clinician_client.get(reverse("clinician:case", kwargs={"pk": case.pk})).content.decode()
    assert html.count('data-testid="feedback-version"') == 2
    assert "First look: routine." in html and "On reflection: today." in html
    feedback = Feedback.objects.get()
    assert (feedback.version, feedback.urgency) == (2, "emergency")
