"""Read-only API fields shared by the patient's and the clinician's diagnosis views: the
patient's answers, the top 3, how far to trust a result, the heat-map grid."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from diagnosis import answers as spot_answers
from diagnosis.models import BodySite, Diagnosis


class AnswersSerializer(serializers.Serializer):
    """The patient's answers as given at upload (profile values copied at that time); absent or
    null = not answered."""

    age = serializers.IntegerField(required=False, allow_null=True, help_text=_("From the year of birth."))
    sex = serializers.ChoiceField(choices=User.Sex.choices, required=False, allow_null=True)
    fitzpatrick = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=6, help_text=_("Skin type 1-6.")
    )
    body_site = serializers.ChoiceField(choices=BodySite.choices, required=False, allow_null=True)
    duration = serializers.ChoiceField(choices=spot_answers.DURATION_CHOICES, required=False, allow_null=True)
    itches = serializers.BooleanField(required=False, allow_null=True)
    grew = serializers.BooleanField(required=False, allow_null=True)
    hurts = serializers.BooleanField(required=False, allow_null=True)
    changed = serializers.BooleanField(required=False, allow_null=True)
    bleeds = serializers.BooleanField(required=False, allow_null=True)
    raised = serializers.BooleanField(required=False, allow_null=True)


@extend_schema_field(AnswersSerializer())
class AnswersField(serializers.Field):
    """Stored answers (the ``answers`` field), only the known keys; patient and clinician views."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        known = set(AnswersSerializer().fields)
        return {k: v for k, v in (value or {}).items() if k in known}


class MeasureSerializer(serializers.Serializer):
    urgent_sensitivity = serializers.FloatField(
        help_text=_("Share of malignant lesions the model sent to “urgent” on held-out photos.")
    )
    urgent_specificity = serializers.FloatField(
        help_text=_("Share of the other lesions it did not send to “urgent”.")
    )
    balanced_accuracy = serializers.FloatField()


class ReliabilitySerializer(serializers.Serializer):
    """The model's own measured figures for the kind of photo it took this for (its metadata)."""

    images = serializers.IntegerField()
    malignant = serializers.IntegerField()
    without_answers = MeasureSerializer()
    with_answers = MeasureSerializer(allow_null=True)
    answers_helped = serializers.BooleanField(allow_null=True)


class TrustSerializer(serializers.Serializer):
    """The result page's plain sentences, in the request's language ("" = nothing to say)."""

    domain_sentence = serializers.CharField()
    reliability_sentence = serializers.CharField()
    answers_sentence = serializers.CharField()


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


class HeatmapGridSerializer(serializers.Serializer):
    """The Grad-CAM map: ``rows`` x ``cols`` values in 0..1 (row-major, top-left first) over the part
    of the photo the model saw (``box``: left, top, right, bottom as fractions of the photo)."""

    rows = serializers.IntegerField()
    cols = serializers.IntegerField()
    values = serializers.ListField(child=serializers.FloatField())
    box = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)
