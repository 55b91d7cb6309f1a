"""API endpoints for spots: list/create, read/rename/remind/delete, attach/detach a check.

HTTP glue only: access through ``diagnosis.spots.selectors``, writes through
``diagnosis.spots.services`` (the same calls as the HTML pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.requests import AuthenticatedRequest
from diagnosis.models import Spot
from diagnosis.selectors import diagnosis_get_for_user
from diagnosis.spots import services
from diagnosis.spots.selectors import spot_get_for_user, spot_list_for_user, spot_timeline
from diagnosis.spots.serializers import (
    SpotAttachSerializer,
    SpotDetailSerializer,
    SpotSerializer,
    SpotWriteSerializer,
)
from portal.api.errors import error_responses
from portal.api.views import ApiView, GenericApiView

SPOT_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Spot id")
CHECK_ID = OpenApiParameter(
    "diagnosis_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Diagnosis id"
)
SPOT_EXAMPLE = OpenApiExample(
    "A spot with two checks",
    value={
        "id": "6b0c7a0e-2f7d-4d8e-9c53-1f2a3b4c5d6e",
        "name": "Mole on left shoulder",
        "body_site": "back",
        "body_site_display": "Back",
        "created_at": "2026-11-01T09:00:00Z",
        "reminder_months": 3,
        "remind_at": "2027-02-01T09:00:00Z",
        "reminder_sent_at": None,
        "check_count": 2,
        "links": {
            "self": "/api/v1/spots/6b0c7a0e-2f7d-4d8e-9c53-1f2a3b4c5d6e/",
            "checks": "/api/v1/spots/6b0c7a0e-2f7d-4d8e-9c53-1f2a3b4c5d6e/checks/",
            "page": "/diagnosis/spots/6b0c7a0e-2f7d-4d8e-9c53-1f2a3b4c5d6e/",
            "report": "/records/spots/6b0c7a0e-2f7d-4d8e-9c53-1f2a3b4c5d6e/report.pdf",
        },
    },
    response_only=True,
)
DETAIL_EXAMPLE = OpenApiExample(
    "A spot and its timeline",
    value={
        **SPOT_EXAMPLE.value,
        "checks": [
            {
                "id": "3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21",
                "created_at": "2026-11-01T09:05:00Z",
                "status": "done",
                "risk_tier": "monitor",
                "predicted_class": "nv",
                "tier_changed": False,
                "previous_tier": "",
                "clinician_reviewed": True,
                "link": "/api/v1/diagnoses/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/",
            },
            {
                "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "created_at": "2026-11-29T10:00:00Z",
                "status": "done",
                "risk_tier": "urgent",
                "predicted_class": "mel",
                "tier_changed": True,
                "previous_tier": "monitor",
                "clinician_reviewed": False,
                "link": "/api/v1/diagnoses/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/",
            },
        ],
    },
    response_only=True,
)


def _django_errors(call: Callable[[], Any], field: str) -> Any:
    try:
        return call()
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: exc.messages}) from exc


def _detail(spot: Spot, code: int = status.HTTP_200_OK) -> Response:
    data = SpotDetailSerializer(spot, context={"timeline": spot_timeline(spot=spot)}).data
    return Response(data, status=code)


class SpotListCreateView(GenericApiView):
    """Your spots: list and create."""

    serializer_class = SpotSerializer

    @extend_schema(
        operation_id="spots_list",
        tags=["spots"],
        summary="List your spots",
        responses={200: SpotSerializer(many=True), **error_responses(404)},
        examples=[SPOT_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(spot_list_for_user(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="spots_create",
        tags=["spots"],
        summary="Name a new spot to follow",
        request=SpotWriteSerializer,
        responses={201: SpotDetailSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "Create", value={"name": "Mole on left shoulder", "body_site": "back"}, request_only=True
            ),
            DETAIL_EXAMPLE,
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = SpotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        spot = _django_errors(
            lambda: services.spot_create(
                owner=request.user, name=values.get("name", ""), body_site=values.get("body_site", "")
            ),
            "name",
        )
        if values.get("reminder_months"):
            spot = services.spot_set_reminder(spot=spot, months=values["reminder_months"])
        return _detail(spot, status.HTTP_201_CREATED)


class SpotDetailView(ApiView):
    """One of your spots, with its checks oldest first."""

    @extend_schema(
        operation_id="spots_retrieve",
        tags=["spots"],
        summary="Get a spot and its timeline",
        parameters=[SPOT_ID],
        responses={200: SpotDetailSerializer, **error_responses(404)},
        examples=[DETAIL_EXAMPLE],
    )
    def get(self, request: Request, pk: str) -> Response:
        return _detail(spot_get_for_user(user=request.user, pk=pk))

    @extend_schema(
        operation_id="spots_partial_update",
        tags=["spots"],
        summary="Rename a spot, change its body site or its reminder",
        description="`reminder_months` 1/3/6/12 sets a one-off reminder email; `null` cancels it.",
        parameters=[SPOT_ID],
        request=SpotWriteSerializer,
        responses={200: SpotDetailSerializer, **error_responses(400, 404)},
        examples=[
            OpenApiExample("Rename", value={"name": "Mole, left shoulder blade"}, request_only=True),
            DETAIL_EXAMPLE,
        ],
    )
    def patch(self, request: Request, pk: str) -> Response:
        spot = spot_get_for_user(user=request.user, pk=pk)
        data = SpotWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        spot = _django_errors(
            lambda: services.spot_update(
                spot=spot, name=values.get("name"), body_site=values.get("body_site")
            ),
            "name",
        )
        if "reminder_months" in values:
            months = values["reminder_months"]
            if months:
                spot = services.spot_set_reminder(spot=spot, months=months)
            else:
                spot = services.spot_cancel_reminder(spot=spot)
        return _detail(spot)

    @extend_schema(
        operation_id="spots_destroy",
        tags=["spots"],
        summary="Delete a spot (its checks stay in your history)",
        parameters=[SPOT_ID],
        responses={204: OpenApiResponse(description="Deleted"), **error_responses(404)},
    )
    def delete(self, request: Request, pk: str) -> Response:
        services.spot_delete(spot=spot_get_for_user(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpotChecksView(ApiView):
    @extend_schema(
        operation_id="spots_checks_create",
        tags=["spots"],
        summary="Add one of your checks to a spot",
        description="A check belongs to at most one spot: adding it here moves it from another spot.",
        parameters=[SPOT_ID],
        request=SpotAttachSerializer,
        responses={200: SpotDetailSerializer, **error_responses(400, 404)},
        examples=[
            OpenApiExample(
                "Attach", value={"diagnosis": "3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21"}, request_only=True
            ),
            DETAIL_EXAMPLE,
        ],
    )
    def post(self, request: Request, pk: str) -> Response:
        spot = spot_get_for_user(user=request.user, pk=pk)
        data = SpotAttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        diagnosis = diagnosis_get_for_user(user=request.user, pk=data.validated_data["diagnosis"])
        _django_errors(lambda: services.spot_attach(spot=spot, diagnosis=diagnosis), "diagnosis")
        return _detail(spot)


class SpotCheckDetailView(ApiView):
    @extend_schema(
        operation_id="spots_checks_destroy",
        tags=["spots"],
        summary="Take a check out of a spot (the check itself is kept)",
        parameters=[SPOT_ID, CHECK_ID],
        responses={204: OpenApiResponse(description="Detached"), **error_responses(404)},
    )
    def delete(self, request: Request, pk: str, diagnosis_id: str) -> Response:
        spot = spot_get_for_user(user=request.user, pk=pk)
        diagnosis = diagnosis_get_for_user(user=request.user, pk=diagnosis_id)
        if diagnosis.spot_id != spot.pk:
            from django.http import Http404

            raise Http404
        services.spot_detach(diagnosis=diagnosis)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("spots/", SpotListCreateView.as_view(), name="spot-list"),
    path("spots/<str:pk>/", SpotDetailView.as_view(), name="spot-detail"),
    path("spots/<str:pk>/checks/", SpotChecksView.as_view(), name="spot-checks"),
    path(
        "spots/<str:pk>/checks/<str:diagnosis_id>/", SpotCheckDetailView.as_view(), name="spot-check-detail"
    ),
]
