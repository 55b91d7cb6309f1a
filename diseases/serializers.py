"""API serializers for the disease library; text comes in the active language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diseases.models import SECTION_FIELDS, Category, Disease, DiseaseImage, DiseaseReference

SECTION_HELP = _("Markdown text in the response language (falls back to English).")


class DiseaseFilterSerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)


class DiseaseListSerializer(serializers.ModelSerializer[Disease]):
    name = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True)
    language = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Disease
        fields = [
            "code",
            "name",
            "summary",
            "category",
            "category_display",
            "urgency",
            "urgency_display",
            "is_model_class",
            "language",
            "url",
            "page",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_name(self, disease: Disease) -> str:
        return disease.name

    @extend_schema_field(serializers.CharField(help_text=SECTION_HELP))
    def get_summary(self, disease: Disease) -> str:
        return disease.summary

    @extend_schema_field(serializers.ChoiceField(choices=["ar", "en"]))
    def get_language(self, disease: Disease) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return language if language in ("ar", "en") else "en"

    @extend_schema_field(serializers.CharField())
    def get_url(self, disease: Disease) -> str:
        return reverse("api:disease-detail", kwargs={"code": disease.code})

    @extend_schema_field(serializers.CharField(help_text=_("The page on the website.")))
    def get_page(self, disease: Disease) -> str:
        return disease.get_absolute_url()


class DiseaseReferenceSerializer(serializers.ModelSerializer[DiseaseReference]):
    class Meta:
        model = DiseaseReference
        fields = ["title", "url"]
        read_only_fields = fields


class DiseaseImageSerializer(serializers.ModelSerializer[DiseaseImage]):
    url = serializers.SerializerMethodField()
    alt = serializers.SerializerMethodField()

    class Meta:
        model = DiseaseImage
        fields = ["url", "alt", "source", "licence"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_url(self, image: DiseaseImage) -> str:
        return image.get_absolute_url()

    @extend_schema_field(serializers.CharField())
    def get_alt(self, image: DiseaseImage) -> str:
        return image.alt


class DiseaseDetailSerializer(DiseaseListSerializer):
    sections = serializers.SerializerMethodField()
    references = DiseaseReferenceSerializer(many=True, read_only=True)
    images = DiseaseImageSerializer(many=True, read_only=True)

    class Meta(DiseaseListSerializer.Meta):
        fields = [*DiseaseListSerializer.Meta.fields, "sections", "last_reviewed", "references", "images"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.DictField(
            child=serializers.CharField(),
            help_text=_("Sections (summary, symptoms, causes, when_to_see_doctor, ...) as Markdown."),
        )
    )
    def get_sections(self, disease: Disease) -> dict[str, Any]:
        return {name: disease.localized(name) for name in SECTION_FIELDS}
