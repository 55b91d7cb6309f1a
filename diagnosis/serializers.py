"""API serializers for diagnoses. Patients never see a clinician's private note."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diagnosis import answers as spot_answers
from diagnosis import trust as trust_info
from diagnosis.api_fields import (
    AnswersField,
    HeatmapGridSerializer,
    ReliabilitySerializer,
    Top3Field,
    TrustSerializer,
)
from diagnosis.feedback import Urgency, feedback_for_patient
from diagnosis.framing import NOT_NUMBERS, parse_crop
from diagnosis.models import BodySite, Diagnosis


def _answer_field(question: object) -> serializers.BooleanField:
    # allow_null: an omitted or empty multipart field is "not answered" (None), never "no".
    return serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text=format_lazy("{} {}", question, _("true, false or empty (not answered).")),
    )


def _crop_field(help_text: StrOrPromise) -> serializers.FloatField:
    return serializers.FloatField(
        required=False, allow_null=True, help_text=help_text, error_messages={"invalid": NOT_NUMBERS}
    )


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
    duration = serializers.ChoiceField(
        choices=spot_answers.DURATION_CHOICES,
        required=False,
        allow_blank=True,
        help_text=_("How long the spot has been there (optional)."),
    )
    itches = _answer_field(spot_answers.QUESTIONS[0][1])
    grew = _answer_field(spot_answers.QUESTIONS[1][1])
    hurts = _answer_field(spot_answers.QUESTIONS[2][1])
    changed = _answer_field(spot_answers.QUESTIONS[3][1])
    bleeds = _answer_field(spot_answers.QUESTIONS[4][1])
    raised = _answer_field(spot_answers.QUESTIONS[5][1])
    crop_x = _crop_field(
        _(
            "The patient's square frame around the spot, in pixels of the photo as displayed (after its "
            "EXIF orientation): left edge. Send all four crop fields or none (none: the whole photo)."
        )
    )
    crop_y = _crop_field(_("Frame: top edge, in displayed-photo pixels."))
    crop_width = _crop_field(_("Frame: width in pixels (at least 64 pixels of the photo)."))
    crop_height = _crop_field(_("Frame: height in pixels (at least 64 pixels of the photo)."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["crop"] = parse_crop(attrs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"crop": exc.messages}) from exc
        return attrs


class DiagnosisFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Diagnosis.Status.choices, required=False, allow_blank=True)
    risk = serializers.ChoiceField(choices=Diagnosis.Risk.choices, required=False, allow_blank=True)


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
    answers = AnswersField()
    answers_used = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Which answer groups the model used as inputs (empty if it uses none)."),
    )
    framed = serializers.SerializerMethodField()
    domain = serializers.ChoiceField(
        choices=[(d, d) for d in trust_info.DOMAINS],
        allow_blank=True,
        read_only=True,
        help_text=_("Which kind of photo the model took this for; empty if the model does not say."),
    )
    domain_probability = serializers.FloatField(read_only=True, allow_null=True)
    ood_reason = serializers.CharField(
        read_only=True,
        help_text=_(
            "Why the photo was not usable: not_lesion (does not look like a single spot) or a "
            "photo-quality code (no_detail, noise, blurry, too_dark, too_bright, …); empty otherwise."
        ),
    )
    rejection_kind = serializers.SerializerMethodField()
    reliability = serializers.SerializerMethodField()
    trust = serializers.SerializerMethodField()
    heatmap_grid = serializers.SerializerMethodField()

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
            "answers",
            "answers_used",
            "framed",
            "domain",
            "domain_probability",
            "ood_reason",
            "rejection_kind",
            "reliability",
            "trust",
            "heatmap_grid",
        ]
        read_only_fields = fields

    @extend_schema_field(HeatmapGridSerializer(allow_null=True))
    def get_heatmap_grid(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        """Draw it yourself (as the website does), or fetch ``links.heatmap`` (a PNG)."""
        return dict(diagnosis.cam_grid) if diagnosis.cam_grid else None

    @extend_schema_field(serializers.BooleanField(help_text=_("Whether the patient framed the spot.")))
    def get_framed(self, diagnosis: Diagnosis) -> bool:
        return bool(diagnosis.crop_box)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["", trust_info.NOT_SINGLE_SPOT, trust_info.PHOTO_QUALITY, trust_info.DAMAGED_FILE],
            allow_blank=True,
        )
    )
    def get_rejection_kind(self, diagnosis: Diagnosis) -> str:
        return (
            trust_info.rejection_kind(diagnosis.ood_reason)
            if diagnosis.status == Diagnosis.Status.REJECTED
            else ""
        )

    @extend_schema_field(ReliabilitySerializer(allow_null=True))
    def get_reliability(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        return trust_info.reliability_data(diagnosis) if diagnosis.status == Diagnosis.Status.DONE else None

    @extend_schema_field(TrustSerializer())
    def get_trust(self, diagnosis: Diagnosis) -> dict[str, str]:
        if diagnosis.status != Diagnosis.Status.DONE:
            return {"domain_sentence": "", "reliability_sentence": "", "answers_sentence": ""}
        info = trust_info.trust_for(diagnosis)
        return {
            "domain_sentence": info.domain_sentence,
            "reliability_sentence": info.reliability_sentence,
            "answers_sentence": info.answers_sentence,
        }

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
            "heatmap": reverse("api:diagnosis-heatmap", kwargs=kwargs) if diagnosis.has_heatmap else None,
            "page": diagnosis.get_absolute_url(),
        }

    @extend_schema_field(PatientReviewSerializer(allow_null=True))
    def get_review(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        return patient_review_data(diagnosis)
