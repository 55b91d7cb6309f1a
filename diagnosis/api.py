"""API endpoints for a patient's own diagnoses: upload, list, read, delete, files.

HTTP glue only: access through ``diagnosis.selectors``, writes through
``diagnosis.services`` (the same calls as the HTML views).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from diagnosis import api_schema as schema
from diagnosis.answers import answers_snapshot
from diagnosis.api_schema import ID_PARAMETER
from diagnosis.downloads import diagnosis_file_response
from diagnosis.models import Diagnosis
from diagnosis.selectors import diagnosis_get_for_user, diagnosis_list_for_user
from diagnosis.serializers import DiagnosisCreateSerializer, DiagnosisFilterSerializer, DiagnosisSerializer
from diagnosis.services import diagnosis_create, diagnosis_delete, diagnosis_retry
from portal.api.errors import error_responses
from portal.api.throttling import UploadRateThrottle
from portal.api.views import ApiView, GenericApiView

Getter = Callable[..., Diagnosis]
# Called after a file was handed out: (user, diagnosis, field). For the audit log.
Audit = Callable[[Any, Diagnosis, str], None]


class DiagnosisListCreateView(GenericApiView):
    """Your diagnoses: list (paginated, filterable) and upload a new photo."""

    serializer_class = DiagnosisSerializer
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadRateThrottle]

    def get_queryset(self) -> Any:
        filters = DiagnosisFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return diagnosis_list_for_user(
            user=self.request.user,
            status=filters.validated_data.get("status"),
            risk=filters.validated_data.get("risk"),
        )

    @schema.diagnosis_list_create_get
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @schema.diagnosis_list_create_post
    def post(self, request: Request) -> Response:
        serializer = DiagnosisCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            diagnosis = diagnosis_create(
                owner=request.user,
                upload=data["image"],
                body_site=data.get("body_site", ""),
                note=data.get("note", ""),
                review_requested=data.get("review_requested", True),
                crop=data.get("crop"),
                answers=answers_snapshot(owner=request.user, body_site=data.get("body_site", ""), given=data),
            )
        except DjangoValidationError as exc:
            field = "crop" if str(exc.code or "").startswith("crop") else "image"
            raise serializers.ValidationError({field: exc.messages}) from exc
        body = DiagnosisSerializer(diagnosis).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


class DiagnosisDetailView(ApiView):
    """One of your diagnoses."""

    @schema.diagnosis_detail_get
    def get(self, request: Request, pk: str) -> Response:
        diagnosis = diagnosis_get_for_user(user=request.user, pk=pk)
        response = Response(DiagnosisSerializer(diagnosis).data)
        response["Cache-Control"] = "no-store"
        return response

    @schema.diagnosis_detail_delete
    def delete(self, request: Request, pk: str) -> Response:
        diagnosis_delete(diagnosis=diagnosis_get_for_user(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DiagnosisRetryView(ApiView):
    """Retry a failed analysis."""

    @schema.diagnosis_retry_post
    def post(self, request: Request, pk: str) -> Response:
        diagnosis = diagnosis_retry(diagnosis=diagnosis_get_for_user(user=request.user, pk=pk))
        return Response(DiagnosisSerializer(diagnosis).data, status=status.HTTP_202_ACCEPTED)


def serve_private(
    request: Request,
    pk: str,
    field: str,
    getter: Getter = diagnosis_get_for_user,
    audit: Audit | None = None,
) -> HttpResponseBase:
    """A stored file after the access check (diagnosis.downloads: the one download helper)."""
    diagnosis = getter(user=request.user, pk=pk)
    response = diagnosis_file_response(diagnosis, field)
    if audit is not None:
        audit(request.user, diagnosis, field)
    return response


def file_view(
    field: str,
    media_type: str,
    summary: str,
    *,
    getter: Getter = diagnosis_get_for_user,
    prefix: str = "diagnoses",
    tag: str = "diagnoses",
    audit: Audit | None = None,
) -> type[ApiView]:
    """A download endpoint for one stored file, behind the given access selector
    (``audit``, if given, records each file handed out)."""

    class FileView(ApiView):
        @extend_schema(
            operation_id=f"{prefix}_{field}",
            tags=[tag],
            summary=summary,
            description=(
                "Served only after the same access check as the website; the answer is the file itself."
            ),
            parameters=[ID_PARAMETER],
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=summary),
                **error_responses(404),
            },
        )
        def get(self, request: Request, pk: str) -> Any:
            return serve_private(request, pk, field, getter, audit)

        def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
            # The file itself bypasses renderers; errors are always JSON, whatever
            # image type the client said it accepts (no 406 for Accept: image/*).
            return (JSONRenderer(), JSONRenderer.media_type)

    name = "".join(part.capitalize() for part in prefix.split("_")) + field.capitalize() + "View"
    FileView.__name__ = FileView.__qualname__ = name
    return FileView


DiagnosisImageView = file_view("image", "image/jpeg", "Download the photo (metadata removed)")
DiagnosisThumbnailView = file_view("thumbnail", "image/jpeg", "Download the thumbnail")
DiagnosisHeatmapView = file_view(
    "heatmap",
    "image/png",
    "Download the heat map overlay (PNG; rendered from `heatmap_grid` on first request)",
)
