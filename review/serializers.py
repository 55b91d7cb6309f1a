"""API serializers for clinician review. Minimal personal data: no patient name or email."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from diagnosis.api_fields import AnswersField, Top3Field
from diagnosis.models import BodySite, Diagnosis
from diagnosis.names import disease_label
from review.forms import FeedbackForm
from review.models import CaseClaim, Feedback, Urgency, Verdict
from review.selectors import QueueState, active_claim, case_ref


def _person(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


class QueueFilterSerializer(serializers.Serializer[dict[str, Any]]):
    state = serializers.ChoiceField(choices=QueueState.ALL, required=False, allow_blank=True)
    risk = serializers.ChoiceField(
        choices=[*Diagnosis.Risk.values, Diagnosis.Status.REJECTED], required=False, allow_blank=True
    )
    body_site = serializers.ChoiceField(choices=BodySite.choices, required=False, allow_blank=True)


class ClaimSerializer(serializers.Serializer[dict[str, Any]]):
    clinician = serializers.CharField(help_text=_("Name of the clinician holding the case."))
    is_mine = serializers.BooleanField()
    claimed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


def claim_data(claim: CaseClaim | None, user: User) -> dict[str, Any] | None:
    if claim is None:
        return None
    return ClaimSerializer(
        {
            "clinician": _person(claim.clinician),
            "is_mine": claim.clinician_id == user.pk,
            "claimed_at": claim.claimed_at,
            "expires_at": claim.claimed_at + CaseClaim.timeout(),
        }
    ).data


class CaseLinksSerializer(serializers.Serializer[dict[str, Any]]):
    self = serializers.CharField()
    image = serializers.CharField()
    thumbnail = serializers.CharField()
    heatmap = serializers.CharField(allow_null=True)
    claim = serializers.CharField()
    feedback = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer[Diagnosis]):
    """A case as a clinician sees it in the queue."""

    case_ref = serializers.SerializerMethodField()
    # Declared (not generated) so the schema allows "" (no body site / no risk tier yet):
    # DRF drops allow_blank from generated read-only fields.
    body_site = serializers.ChoiceField(choices=BodySite.choices, allow_blank=True, read_only=True)
    risk_tier = serializers.ChoiceField(choices=Diagnosis.Risk.choices, allow_blank=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    risk_tier_display = serializers.CharField(source="get_risk_tier_display", read_only=True)
    body_site_display = serializers.CharField(source="get_body_site_display", read_only=True)
    top3 = Top3Field()
    claim = serializers.SerializerMethodField()
    reviewed = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "case_ref",
            "status",
            "status_display",
            "created_at",
            "body_site",
            "body_site_display",
            "risk_tier",
            "risk_tier_display",
            "predicted_class",
            "confidence",
            "top3",
            "ood_flag",
            "model_version",
            "claim",
            "reviewed",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_case_ref(self, diagnosis: Diagnosis) -> str:
        return case_ref(diagnosis)

    @extend_schema_field(ClaimSerializer(allow_null=True))
    def get_claim(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        return claim_data(active_claim(diagnosis), self.context["request"].user)

    @extend_schema_field(serializers.BooleanField())
    def get_reviewed(self, diagnosis: Diagnosis) -> bool:
        try:
            return diagnosis.clinician_feedback is not None  # select_related by the queue
        except ObjectDoesNotExist:
            return False

    @extend_schema_field(CaseLinksSerializer())
    def get_links(self, diagnosis: Diagnosis) -> dict[str, Any]:
        kwargs = {"pk": diagnosis.pk}
        return {
            "self": reverse("api:clinician-case", kwargs=kwargs),
            "image": reverse("api:clinician-case-image", kwargs=kwargs),
            "thumbnail": reverse("api:clinician-case-thumbnail", kwargs=kwargs),
            "heatmap": reverse("api:clinician-case-heatmap", kwargs=kwargs)
            if diagnosis.has_heatmap
            else None,
            "claim": reverse("api:clinician-case-claim", kwargs=kwargs),
            "feedback": reverse("api:clinician-case-feedback", kwargs=kwargs),
        }


class FeedbackVersionSerializer(serializers.Serializer[dict[str, Any]]):
    number = serializers.IntegerField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    diagnosis_code = serializers.CharField()
    diagnosis_other = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    message = serializers.CharField()
    private_note = serializers.CharField()


class ClinicianFeedbackSerializer(serializers.Serializer[dict[str, Any]]):
    """The full feedback, private note and every version included (clinicians/admins only)."""

    verdict = serializers.ChoiceField(choices=Verdict.choices)
    verdict_display = serializers.CharField()
    diagnosis_code = serializers.CharField()
    diagnosis_other = serializers.CharField()
    diagnosis_label = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    urgency_display = serializers.CharField()
    message = serializers.CharField()
    private_note = serializers.CharField()
    version = serializers.IntegerField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    versions = FeedbackVersionSerializer(many=True)


def clinician_feedback_data(feedback: Feedback | None) -> dict[str, Any] | None:
    if feedback is None:
        return None
    versions = feedback.versions.select_related("author").order_by("-number")
    return ClinicianFeedbackSerializer(
        {
            "verdict": feedback.verdict,
            "verdict_display": str(feedback.get_verdict_display()),
            "diagnosis_code": feedback.diagnosis_code,
            "diagnosis_other": feedback.diagnosis_other,
            "diagnosis_label": disease_label(feedback.diagnosis_code, feedback.diagnosis_other),
            "urgency": feedback.urgency,
            "urgency_display": str(feedback.get_urgency_display()),
            "message": feedback.message,
            "private_note": feedback.private_note,
            "version": feedback.version,
            "author": _person(feedback.author),
            "created_at": feedback.created_at,
            "updated_at": feedback.updated_at,
            "versions": [
                {
                    "number": v.number,
                    "author": _person(v.author),
                    "created_at": v.created_at,
                    "verdict": v.verdict,
                    "diagnosis_code": v.diagnosis_code,
                    "diagnosis_other": v.diagnosis_other,
                    "urgency": v.urgency,
                    "message": v.message,
                    "private_note": v.private_note,
                }
                for v in versions
            ],
        }
    ).data


class EarlierDiagnosisSerializer(serializers.Serializer[Diagnosis]):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    body_site = serializers.CharField()
    status = serializers.CharField()
    risk_tier = serializers.CharField()
    predicted_class = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    """The case page: adds the patient's note, the probabilities, the feedback
    (with the private note) and the patient's earlier checks."""

    probabilities = serializers.DictField(child=serializers.FloatField(), read_only=True)
    answers = AnswersField(help_text=_("The patient's answers as given at upload."))
    feedback = serializers.SerializerMethodField()
    can_edit_feedback = serializers.SerializerMethodField()
    earlier = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "note",
            "answers",
            "probabilities",
            "cam_class",
            "feedback",
            "can_edit_feedback",
            "earlier",
        ]
        read_only_fields = fields

    @extend_schema_field(ClinicianFeedbackSerializer(allow_null=True))
    def get_feedback(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        return clinician_feedback_data(self.context.get("feedback"))

    @extend_schema_field(serializers.BooleanField())
    def get_can_edit_feedback(self, diagnosis: Diagnosis) -> bool:
        return bool(self.context.get("can_edit"))

    @extend_schema_field(EarlierDiagnosisSerializer(many=True))
    def get_earlier(self, diagnosis: Diagnosis) -> list[dict[str, Any]]:
        # drf-stubs type .data as one object's; with many=True it is a list (ReturnList).
        return EarlierDiagnosisSerializer(self.context.get("earlier", []), many=True).data  # type: ignore[return-value]


class FeedbackInputSerializer(serializers.Serializer[dict[str, Any]]):
    """Create or amend feedback. Validated by the site's feedback form (same rules, same messages)."""

    verdict = serializers.ChoiceField(choices=Verdict.choices)
    diagnosis_code = serializers.CharField(
        max_length=64, help_text=_("A disease library code, or “other” with diagnosis_other.")
    )
    diagnosis_other = serializers.CharField(max_length=200, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    message = serializers.CharField(max_length=4000)
    private_note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text=_("Never shown to the patient. Left out of an amendment: the current note is kept."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = FeedbackForm(data={k: v for k, v in attrs.items() if v is not None})
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        data = dict(form.cleaned_data)
        if "private_note" not in attrs:
            # Not sent is not "blank it": feedback_amend keeps the current note.
            data.pop("private_note", None)
        return data
