"""API serializers for diagnoses. Patients never see a clinician's private note."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diagnosis.models import BodySite, Diagnosis, Urgency
from diagnosis.selectors_review import feedback_for_patient


class DiagnosisCreateSerializer(serializers.Serializer):
    """Multipart upload; the photo is validated by the same service as the site."""

    image = serializers.FileField(
        help_text=_("JPEG, PNG, WebP or HEIC photo of the skin spot."),
        error_messages={
            "required": _("Please choose or take a photo."),
            "empty": _("The file is empty. Please choose a photo."),
        },
    )
    body_site = serializers.ChoiceField(choices=BodySite.choices, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    review_requested = serializers.BooleanField(required=False, default=True)


class DiagnosisFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Diagnosis.Status.choices, required=False, allow_blank=True)
    risk = serializers.ChoiceField(choices=Diagnosis.Risk.choices, required=False, allow_blank=True)


class Top3EntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    probability = serializers.FloatField()


@extend_schema_field(Top3EntrySerializer(many=True))
class Top3Field(serializers.Field):
    """The top three classes with translated names, shared by the patient and clinician views."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, diagnosis: Diagnosis) -> list[dict[str, Any]]:
        return [
            {"code": row["code"], "name": str(row["name"]), "probability": row["confidence"]}
            for row in diagnosis.top3_display
        ]


class DiagnosisLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    image = serializers.CharField()
    thumbnail = serializers.CharField()
    heatmap = serializers.CharField(allow_null=True)
    page = serializers.CharField(help_text=_("The result page on the website."))


class PatientReviewSerializer(serializers.Serializer):
    """What the patient sees of a clinician's feedback (never the private note)."""

    message = serializers.CharField()
    diagnosis_label = serializers.CharField()
    diagnosis_url = serializers.CharField(help_text=_("Disease library page, if there is one."))
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    urgency_label = serializers.CharField()
    reviewed_at = serializers.DateTimeField()
    amended = serializers.BooleanField()


def patient_review_data(diagnosis: Diagnosis) -> dict[str, Any] | None:
    """The patient-safe projection from the review selectors, serialised."""
    if getattr(diagnosis, "has_clinician_feedback", None) is False:
        return None  # the list selector already knows: no query per row
    feedback = feedback_for_patient(diagnosis=diagnosis)
    if feedback is None:
        return None
    return PatientReviewSerializer(asdict(feedback)).data


class DiagnosisSerializer(serializers.ModelSerializer):
    # Declared (not generated) so the schema allows "" (no body site / no risk tier yet):
    # DRF drops allow_blank from generated read-only fields.
    body_site = serializers.ChoiceField(choices=BodySite.choices, allow_blank=True, read_only=True)
    risk_tier = serializers.ChoiceField(choices=Diagnosis.Risk.choices, allow_blank=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    risk_tier_display = serializers.CharField(source="get_risk_tier_display", read_only=True)
    body_site_display = serializers.CharField(source="get_body_site_display", read_only=True)
    error_message = serializers.SerializerMethodField()
    predicted_name = serializers.CharField(read_only=True)
    probabilities = serializers.DictField(child=serializers.FloatField(), read_only=True)
    top3 = Top3Field()
    links = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "status",
            "status_display",
            "error_message",
            "created_at",
            "finished_at",
            "body_site",
            "body_site_display",
            "note",
            "review_requested",
            "model_version",
            "probabilities",
            "top3",
            "predicted_class",
            "predicted_name",
            "confidence",
            "risk_tier",
            "risk_tier_display",
            "ood_flag",
            "cam_class",
            "links",
            "review",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_error_message(self, diagnosis: Diagnosis) -> str:
        # Stored in English (msgid), translated on display.
        return gettext(diagnosis.error_message) if diagnosis.error_message else ""

    @extend_schema_field(DiagnosisLinksSerializer())
    def get_links(self, diagnosis: Diagnosis) -> dict[str, Any]:
        kwargs = {"pk": diagnosis.pk}
        return {
            "self": reverse("api:diagnosis-detail", kwargs=kwargs),
            "image": reverse("api:diagnosis-image", kwargs=kwargs),
            "thumbnail": reverse("api:diagnosis-thumbnail", kwargs=kwargs),
            "heatmap": reverse("api:diagnosis-heatmap", kwargs=kwargs) if diagnosis.heatmap else None,
            "page": diagnosis.get_absolute_url(),
        }

    @extend_schema_field(PatientReviewSerializer(allow_null=True))
    def get_review(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        return patient_review_data(diagnosis)
