"""factory_boy factories for review rows (written directly, without the services'
side effects; use review.tests.review_helpers.give_feedback for the full path)."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.testing import enrol_totp
from accounts.tests.factories import UserFactory
from diagnosis.tests.factories import DiagnosisFactory
from review.models import CaseClaim, Feedback, FeedbackVersion


class ClinicianFactory(UserFactory):
    """A clinician with two-factor sign-in set up (required before the review queue)."""

    is_clinician = True

    @factory.post_generation
    def totp(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            enrol_totp(self)


class CaseFactory(DiagnosisFactory):
    """A finished diagnosis whose patient asked for a clinician review."""

    review_requested = True


class CaseClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseClaim

    diagnosis = factory.SubFactory(CaseFactory)
    clinician = factory.SubFactory(ClinicianFactory)
    claimed_at = factory.LazyFunction(timezone.now)


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    diagnosis = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(ClinicianFactory)
    verdict = "agree"
    diagnosis_code = "nv"
    urgency = "routine"
    message = "This looks like an ordinary mole. Keep an eye on it."
    private_note = ""


class FeedbackVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackVersion

    feedback = factory.SubFactory(FeedbackFactory)
    number = factory.SelfAttribute("feedback.version")
    author = factory.SelfAttribute("feedback.author")
    verdict = factory.SelfAttribute("feedback.verdict")
    diagnosis_code = factory.SelfAttribute("feedback.diagnosis_code")
    urgency = factory.SelfAttribute("feedback.urgency")
    message = factory.SelfAttribute("feedback.message")
