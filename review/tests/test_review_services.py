"""Review rules: claims and their expiry, feedback versions, patient emails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from review.exceptions import ReviewNotAllowed
from review.models import CaseAccessLog, CaseClaim, FeedbackVersion
from review.notifications import feedback_notify_patient
from review.selectors import QueueState, review_queue
from review.services import case_assign, case_claim, claims_release_expired, feedback_amend
from review.tests.factories import CaseFactory
from review.tests.review_helpers import (
    PATIENT_MESSAGE,
    PRIVATE_NOTE,
    give_feedback,
    make_other_clinician,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(owner: Any) -> Any:
    return CaseFactory(owner=owner)


def _age_claim(case: Any, minutes: int) -> None:
    CaseClaim.objects.filter(diagnosis=case).update(claimed_at=timezone.now() - timedelta(minutes=minutes))


# --- claims ------------------------------------------------------------------------------


def test_claimed_case_is_taken_for_others(clinician: Any, case: Any) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    colleague = make_other_clinician()
    with pytest.raises(ReviewNotAllowed):
        case_claim(diagnosis=case, clinician=colleague)
    assert list(review_queue(user=colleague, state=QueueState.TAKEN)) == [case]
    assert list(review_queue(user=colleague, state=QueueState.OPEN)) == []


def test_expired_claim_returns_to_the_queue(settings: Any, clinician: Any, case: Any) -> None:
    settings.REVIEW_CLAIM_TIMEOUT_MINUTES = 30
    case_claim(diagnosis=case, clinician=clinician)
    colleague = make_other_clinician()
    _age_claim(case, 29)
    assert list(review_queue(user=colleague, state=QueueState.OPEN)) == []
    _age_claim(case, 31)
    assert list(review_queue(user=colleague, state=QueueState.OPEN)) == [case]
    assert list(review_queue(user=clinician, state=QueueState.MINE)) == []
    # Anyone may now take it over.
    assert case_claim(diagnosis=case, clinician=colleague).clinician == colleague


def test_expired_claim_no_longer_blocks_feedback(settings: Any, clinician: Any, case: Any) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    colleague = make_other_clinician()
    with pytest.raises(ReviewNotAllowed):
        give_feedback(diagnosis=case, author=colleague)
    _age_claim(case, 61)  # default timeout: 60 minutes
    assert give_feedback(diagnosis=case, author=colleague).author == colleague


def test_housekeeping_deletes_only_expired_claims(clinician: Any, owner: Any) -> None:
    fresh, stale = CaseFactory(owner=owner), CaseFactory(owner=owner)
    case_claim(diagnosis=fresh, clinician=clinician)
    case_claim(diagnosis=stale, clinician=clinician)
    _age_claim(stale, 120)
    assert claims_release_expired() == 1
    assert list(CaseClaim.objects.values_list("diagnosis_id", flat=True)) == [fresh.pk]


def test_renewing_your_own_claim_restarts_the_clock(clinician: Any, case: Any) -> None:
    case_claim(diagnosis=case, clinician=clinician)
    _age_claim(case, 50)
    case_claim(diagnosis=case, clinician=clinician)
    assert CaseClaim.objects.get().claimed_at > timezone.now() - timedelta(minutes=1)


def test_reviewed_case_cannot_be_claimed(clinician: Any, case: Any) -> None:
    give_feedback(diagnosis=case, author=clinician)
    with pytest.raises(ReviewNotAllowed):
        case_claim(diagnosis=case, clinician=make_other_clinician())


def test_only_admins_assign_and_only_to_clinicians(
    clinician: Any, admin_user: Any, other_patient: Any, case: Any
) -> None:
    with pytest.raises(ReviewNotAllowed):
        case_assign(diagnosis=case, clinician=clinician, assigned_by=clinician)
    with pytest.raises(ReviewNotAllowed):
        case_assign(diagnosis=case, clinician=other_patient, assigned_by=admin_user)
    claim = case_assign(diagnosis=case, clinician=clinician, assigned_by=admin_user)
    assert (claim.clinician, claim.assigned_by) == (clinician, admin_user)
    assert CaseAccessLog.objects.filter(action="assign", user=admin_user).count() == 1


# --- feedback and amendments ---------------------------------------------------------------


def test_amendment_keeps_every_version_with_author_and_time(
    clinician: Any, admin_user: Any, case: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(diagnosis=case, author=clinician, verdict="agree", diagnosis_code="nv")
    with django_capture_on_commit_callbacks(execute=True):
        feedback = feedback_amend(
            diagnosis=case,
            author=clinician,
            verdict="disagree",
            diagnosis_code="mel",
            urgency="soon",
            message="Updated: please see a dermatologist.",
            private_note="second thoughts",
        )
    with django_capture_on_commit_callbacks(execute=True):
        feedback = feedback_amend(
            diagnosis=case,
            author=admin_user,
            verdict="disagree",
            diagnosis_code="mel",
            urgency="emergency",
            message="Please go today.",
        )
    assert feedback.version == 3
    assert (feedback.urgency, feedback.author) == ("emergency", admin_user)
    versions = list(FeedbackVersion.objects.filter(feedback=feedback).order_by("number"))
    assert [(v.number, v.author, v.diagnosis_code, v.urgency) for v in versions] == [
        (1, clinician, "nv", "routine"),
        (2, clinician, "mel", "soon"),
        (3, admin_user, "mel", "emergency"),
    ]
    assert versions[0].message == PATIENT_MESSAGE
    assert versions[0].private_note == PRIVATE_NOTE
    assert all(v.created_at is not None for v in versions)
    assert versions[0].created_at <= versions[1].created_at <= versions[2].created_at
    assert [e.action for e in CaseAccessLog.objects.order_by("at", "pk")] == ["feedback", "amend", "amend"]


# --- patient emails -----------------------------------------------------------------------


def test_one_email_per_feedback_and_per_amendment(
    clinician: Any, owner: Any, case: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(diagnosis=case, author=clinician)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert case.get_absolute_url() in message.body
    assert "reviewed" in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(diagnosis=case, author=clinician, message="Amended message")
    assert len(mail.outbox) == 2
    assert "updated" in mail.outbox[1].subject
    # Re-running the notification for a version already notified sends nothing.
    for version in FeedbackVersion.objects.all():
        assert feedback_notify_patient(version_id=version.pk) is False
    assert len(mail.outbox) == 2


def test_email_has_no_medical_content(clinician: Any, case: Any, django_capture_on_commit_callbacks: Any):
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(diagnosis=case, author=clinician, diagnosis_code="mel", urgency="emergency")
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}".lower()
    for forbidden in (
        PATIENT_MESSAGE.lower(),
        "private-note",
        "melanoma",
        "mel",
        "emergency",
        "mole",
        "nevus",
        "dermatologist",
    ):
        assert forbidden not in text, forbidden


def test_email_is_in_the_patients_language(
    clinician: Any, owner: Any, case: Any, django_capture_on_commit_callbacks: Any
) -> None:
    owner.preferred_language = "ar"
    owner.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(diagnosis=case, author=clinician)
    message = mail.outbox[0]
    assert message.subject == "[Jildi] راجع طبيب صورتك"
    assert "سجّل الدخول" in message.body
    assert "reviewed" not in message.body
    assert case.get_absolute_url() in message.body
    assert message.extra_headers["Content-Language"] == "ar"


def test_no_email_when_the_transaction_rolls_back(clinician: Any, case: Any) -> None:
    # Without running on-commit callbacks nothing is sent: emails only follow a committed save.
    give_feedback(diagnosis=case, author=clinician)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"verdict": "maybe"},
        {"urgency": "whenever"},
        {"diagnosis_code": "not-a-library-code"},
        {"diagnosis_code": "other", "diagnosis_other": " "},
        {"message": "   "},
    ],
)
def test_feedback_values_are_validated_by_the_service(clinician: Any, case: Any, overrides: dict) -> None:
    with pytest.raises(ValidationError):
        give_feedback(diagnosis=case, author=clinician, **overrides)
    assert not FeedbackVersion.objects.exists()


def test_sweep_resends_an_email_that_failed_and_only_once(
    clinician: Any, case: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.mail import EmailMessage

    from review.services import review_sweep

    def smtp_down(self: Any, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", smtp_down)
        with django_capture_on_commit_callbacks(execute=True):
            give_feedback(diagnosis=case, author=clinician)
    assert mail.outbox == []
    version = FeedbackVersion.objects.get()
    assert version.notified_at is None
    FeedbackVersion.objects.filter(pk=version.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert review_sweep()["emails_sent"] == 1
    assert review_sweep()["emails_sent"] == 0
    assert len(mail.outbox) == 1


def test_review_sweep_task_runs_on_the_default_queue() -> None:
    from portal.celery import app
    from review.tasks import review_sweep

    assert review_sweep.name == "diagnosis.review.sweep"
    assert app.amqp.router.route({}, review_sweep.name).get("queue").name == "default"
    assert app.conf.beat_schedule["diagnosis-review-sweep"]["task"] == review_sweep.name
