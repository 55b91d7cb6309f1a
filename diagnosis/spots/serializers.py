"""API serializers for spots. A spot's checks carry their result, never clinician notes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diagnosis.models import BodySite, Spot
from diagnosis.spots.selectors import TimelineEntry


def _links(spot: Spot) -> dict[str, str]:
    return {
        "self": reverse("api:spot-detail", kwargs={"pk": spot.pk}),
        "checks": reverse("api:spot-checks", kwargs={"pk": spot.pk}),
        "page": reverse("diagnosis:spot_detail", kwargs={"pk": spot.pk}),
        "report": reverse("records:spot_report", kwargs={"pk": spot.pk}),
    }


class SpotLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    checks = serializers.CharField()
    page = serializers.CharField()
    report = serializers.CharField(help_text=_("PDF report of the spot (site session only)."))


class SpotSerializer(serializers.ModelSerializer):
    body_site = serializers.ChoiceField(choices=BodySite.choices, allow_blank=True, read_only=True)
    body_site_display = serializers.CharField(source="get_body_site_display", read_only=True)
    check_count = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Spot
        fields = [
            "id",
            "name",
            "body_site",
            "body_site_display",
            "created_at",
            "reminder_months",
            "remind_at",
            "reminder_sent_at",
            "check_count",
            "links",
        ]
        read_only_fields = fields

    def get_check_count(self, spot: Spot) -> int:
        count = getattr(spot, "check_count", None)
        return int(count) if count is not None else spot.checks.count()

    @extend_schema_field(SpotLinksSerializer)
    def get_links(self, spot: Spot) -> dict[str, str]:
        return _links(spot)


class SpotCheckSerializer(serializers.Serializer):
    """One check in a spot's timeline (oldest first)."""

    id = serializers.UUIDField(source="diagnosis.pk")
    created_at = serializers.DateTimeField(source="diagnosis.created_at")
    status = serializers.CharField(source="diagnosis.status")
    risk_tier = serializers.CharField(source="diagnosis.risk_tier")
    predicted_class = serializers.CharField(source="diagnosis.predicted_class")
    tier_changed = serializers.BooleanField(help_text=_("The risk tier differs from the previous result."))
    previous_tier = serializers.CharField()
    clinician_reviewed = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    def get_clinician_reviewed(self, entry: TimelineEntry) -> bool:
        return entry.feedback is not None

    def get_link(self, entry: TimelineEntry) -> str:
        return reverse("api:diagnosis-detail", kwargs={"pk": entry.diagnosis.pk})


class SpotDetailSerializer(SpotSerializer):
    checks = serializers.SerializerMethodField()

    class Meta(SpotSerializer.Meta):
        fields = [*SpotSerializer.Meta.fields, "checks"]
        read_only_fields = fields

    @extend_schema_field(SpotCheckSerializer(many=True))
    def get_checks(self, spot: Spot) -> list[dict[str, Any]]:
        # drf-stubs type .data as a ReturnDict; with many=True it is a ReturnList of dicts.
        return SpotCheckSerializer(self.context.get("timeline", []), many=True).data  # type: ignore[return-value]


class SpotWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, help_text=_("e.g. mole on left shoulder"))
    body_site = serializers.ChoiceField(choices=BodySite.choices, required=False, allow_blank=True)
    reminder_months = serializers.ChoiceField(
        choices=Spot.REMINDER_MONTHS,
        required=False,
        allow_null=True,
        help_text=_("Email a re-check reminder in 1, 3, 6 or 12 months (once); null cancels it."),
    )


class SpotAttachSerializer(serializers.Serializer):
    diagnosis = serializers.UUIDField(help_text=_("Id of one of your diagnoses."))
