"""API endpoints for clinician review: queue, case, claim/release, feedback create/amend.

Access: ``accounts.roles.IsReviewer`` and ``diagnosis_get_for_reviewer`` (clinicians
and admins; everyone else signed in gets 404 so the area does not advertise itself).
Rules and writes: ``review.services``; every read of a case is audit-logged.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import User
from accounts.requests import AuthenticatedRequest
from accounts.roles import IsReviewer
from diagnosis.api import file_view
from diagnosis.models import Diagnosis
from diagnosis.selectors import diagnosis_get_for_reviewer
from portal.api.permissions import IsVerifiedUser
from portal.api.views import ApiView, GenericApiView
from review import api_schema as schema
from review.audit import access_log_record
from review.exceptions import ReviewNotAllowed
from review.models import CaseAccessLog
from review.selectors import (
    QueueState,
    case_context,
    feedback_for_case,
    review_queue,
    review_queue_counts,
)
from review.serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    FeedbackInputSerializer,
    QueueFilterSerializer,
    claim_data,
    clinician_feedback_data,
)
from review.services import (
    FEEDBACK_EXISTS,
    case_claim,
    case_release,
    feedback_amend,
    feedback_create,
)

API = CaseAccessLog.Channel.API
PERMISSIONS = [IsVerifiedUser, IsReviewer]


class QueueView(GenericApiView[Diagnosis]):
    """The review queue."""

    permission_classes = PERMISSIONS
    serializer_class = CaseSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        filters = QueueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return review_queue(
            user=self.request.user,
            state=filters.validated_data.get("state") or QueueState.PENDING,
            risk=filters.validated_data.get("risk", ""),
            body_site=filters.validated_data.get("body_site", ""),
        )

    @schema.queue_get
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class QueueCountsView(ApiView):
    """How many cases each queue tab holds."""

    permission_classes = PERMISSIONS

    @schema.queue_counts_get
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(review_queue_counts(user=request.user))


class CaseView(ApiView):
    """One case, as the clinician's case page shows it (opening it is audit-logged)."""

    permission_classes = PERMISSIONS

    @schema.case_get
    def get(self, request: AuthenticatedRequest, pk: str) -> Response:
        diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
        access_log_record(
            user=request.user, diagnosis=diagnosis, action=CaseAccessLog.Action.VIEW, channel=API
        )
        case = case_context(user=request.user, diagnosis=diagnosis)
        context = {
            "request": request,
            "feedback": case.feedback,
            "can_edit": case.can_edit,
            "earlier": case.earlier,
        }
        response = Response(CaseDetailSerializer(diagnosis, context=context).data)
        response["Cache-Control"] = "private, no-store"
        return response


class ClaimView(ApiView):
    """Claim a case (others then see it is taken) or give it back."""

    permission_classes = PERMISSIONS

    @schema.claim_post
    def post(self, request: AuthenticatedRequest, pk: str) -> Response:
        diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
        claim = case_claim(diagnosis=diagnosis, clinician=request.user, channel=API)
        return Response(claim_data(claim, request.user))

    @schema.claim_delete
    def delete(self, request: AuthenticatedRequest, pk: str) -> Response:
        diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
        case_release(diagnosis=diagnosis, user=request.user, channel=API)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedbackView(ApiView):
    """Structured feedback on a case: create once, then amend (every version is kept)."""

    permission_classes = PERMISSIONS

    def _save(self, request: AuthenticatedRequest, pk: str, *, amend: bool) -> Response:
        diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
        existing = feedback_for_case(diagnosis)
        if amend and existing is None:
            raise NotFound
        if not amend and existing is not None:
            raise ReviewNotAllowed(FEEDBACK_EXISTS)
        serializer = FeedbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        save = feedback_amend if amend else feedback_create
        feedback = save(diagnosis=diagnosis, author=request.user, channel=API, **serializer.validated_data)
        return Response(
            clinician_feedback_data(feedback_for_case(diagnosis) or feedback),
            status=status.HTTP_200_OK if amend else status.HTTP_201_CREATED,
        )

    @schema.feedback_get
    def get(self, request: AuthenticatedRequest, pk: str) -> Response:
        diagnosis = diagnosis_get_for_reviewer(user=request.user, pk=pk)
        feedback = feedback_for_case(diagnosis)
        if feedback is None:
            raise NotFound
        access_log_record(
            user=request.user,
            diagnosis=diagnosis,
            action=CaseAccessLog.Action.VIEW,
            channel=API,
            detail="feedback",
        )
        return Response(clinician_feedback_data(feedback))

    @schema.feedback_post
    def post(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._save(request, pk, amend=False)

    @schema.feedback_put
    def put(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._save(request, pk, amend=True)


def _audit_download(user: User, diagnosis: Diagnosis, field: str) -> None:
    access_log_record(
        user=user, diagnosis=diagnosis, action=CaseAccessLog.Action.DOWNLOAD, channel=API, detail=field
    )


def _case_file_view(field: str, media_type: str, summary: str) -> type[ApiView]:
    return file_view(
        field,
        media_type,
        summary,
        getter=diagnosis_get_for_reviewer,
        prefix="clinician_case",
        tag="clinician",
        audit=_audit_download,
    )


CaseImageView = _case_file_view("image", "image/jpeg", "The case photo")
CaseThumbnailView = _case_file_view("thumbnail", "image/jpeg", "The case thumbnail")
CaseHeatmapView = _case_file_view("heatmap", "image/png", "The case heat map")
for _view in (CaseImageView, CaseThumbnailView, CaseHeatmapView):
    _view.permission_classes = PERMISSIONS

urlpatterns = [
    path("clinician/queue/", QueueView.as_view(), name="clinician-queue"),
    path("clinician/queue/counts/", QueueCountsView.as_view(), name="clinician-queue-counts"),
    path("clinician/cases/<str:pk>/", CaseView.as_view(), name="clinician-case"),
    path("clinician/cases/<str:pk>/claim/", ClaimView.as_view(), name="clinician-case-claim"),
    path("clinician/cases/<str:pk>/feedback/", FeedbackView.as_view(), name="clinician-case-feedback"),
    path("clinician/cases/<str:pk>/image/", CaseImageView.as_view(), name="clinician-case-image"),
    path("clinician/cases/<str:pk>/thumbnail/", CaseThumbnailView.as_view(), name="clinician-case-thumbnail"),
    path("clinician/cases/<str:pk>/heatmap/", CaseHeatmapView.as_view(), name="clinician-case-heatmap"),
]
