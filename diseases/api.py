"""Public API for the disease library: language from ``?lang=`` or Accept-Language."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from diseases.models import Category, Disease, DiseaseQuerySet
from diseases.selectors import disease_get_for_viewer, disease_list_public
from diseases.serializers import DiseaseDetailSerializer, DiseaseFilterSerializer, DiseaseListSerializer
from portal.api.errors import error_responses
from portal.api.views import LANG_PARAMETER, ApiView, GenericApiView

LIST_ITEM = {
    "code": "mel",
    "name": "Melanoma",
    "summary": "A cancer of the pigment cells of the skin ...",
    "category": "cancer",
    "category_display": "Skin cancer",
    "urgency": "soon",
    "urgency_display": "See a doctor within 2 weeks",
    "is_model_class": True,
    "language": "en",
    "url": "/api/v1/diseases/mel/",
    "page": "/diseases/mel/",
}
LIST_ITEM_AR = {
    **LIST_ITEM,
    "name": "الورم الميلانيني",
    "summary": "سرطان يصيب الخلايا الصبغية في الجلد ...",
    "category_display": "سرطان الجلد",
    "urgency_display": "راجع الطبيب خلال أسبوعين",
    "language": "ar",
}


class DiseaseListView(GenericApiView[Disease]):
    """The disease library (public)."""

    permission_classes = [AllowAny]
    serializer_class = DiseaseListSerializer

    def get_queryset(self) -> DiseaseQuerySet:
        filters = DiseaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        diseases = disease_list_public(query=filters.validated_data.get("q", "").strip())
        if filters.validated_data.get("category"):
            diseases = diseases.filter(category=filters.validated_data["category"])
        return diseases.order_by("name_en", "code")

    @extend_schema(
        operation_id="diseases_list",
        tags=["diseases"],
        summary="List the disease library",
        description="Published pages, searchable in both languages. Public (no sign-in needed).",
        parameters=[
            LANG_PARAMETER,
            OpenApiParameter("q", OpenApiTypes.STR, description="Search text (Arabic or English)"),
            OpenApiParameter("category", OpenApiTypes.STR, enum=Category.values),
        ],
        responses={200: DiseaseListSerializer(many=True), **error_responses(400, 404)},
        examples=[
            OpenApiExample("English", value=LIST_ITEM, response_only=True),
            OpenApiExample("Arabic (?lang=ar)", value=LIST_ITEM_AR, response_only=True),
        ],
        # Security requirement objects, as the OpenAPI spec has them (drf-spectacular types them as str).
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],  # type: ignore[list-item]
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DiseaseDetailView(ApiView):
    """One disease page (public; staff may preview unpublished pages)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="diseases_retrieve",
        tags=["diseases"],
        summary="A disease page",
        parameters=[
            LANG_PARAMETER,
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Disease code"),
        ],
        responses={200: DiseaseDetailSerializer, **error_responses(404)},
        examples=[
            OpenApiExample(
                "Melanoma",
                value={
                    **LIST_ITEM,
                    "sections": {
                        "summary": "A cancer of the pigment cells of the skin ...",
                        "symptoms": "A new or changing mole ...",
                        "causes": "",
                        "when_to_see_doctor": "See a doctor within two weeks if ...",
                        "diagnosis_treatment": "",
                        "prevention": "",
                    },
                    "last_reviewed": "2026-11-01",
                    "references": [{"title": "DermNet: Melanoma", "url": "https://dermnetnz.org/"}],
                    "images": [],
                },
                response_only=True,
            )
        ],
        # Security requirement objects, as the OpenAPI spec has them (drf-spectacular types them as str).
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],  # type: ignore[list-item]
    )
    def get(self, request: Request, code: str) -> Response:
        disease = disease_get_for_viewer(slug=code, user=request.user)
        return Response(DiseaseDetailSerializer(disease).data)
