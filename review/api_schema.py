"""OpenAPI documentation of the clinician review API (drf-spectacular): one decorator
per operation, applied in review/api.py, so the views read as glue."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from diagnosis.api_schema import ID_PARAMETER
from diagnosis.models import BodySite, Diagnosis
from portal.api.errors import error_responses
from review.selectors import QueueState
from review.serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    ClaimSerializer,
    ClinicianFeedbackSerializer,
    FeedbackInputSerializer,
)

# --- examples ---------------------------------------------------------------------

CASE_EXAMPLE = {
    "id": "3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21",
    "case_ref": "C-3F1C2A4E",
    "status": "done",
    "status_display": "Done",
    "created_at": "2026-11-25T18:00:00Z",
    "body_site": "back",
    "body_site_display": "Back",
    "risk_tier": "urgent",
    "risk_tier_display": "Urgent",
    "predicted_class": "mel",
    "confidence": 0.61,
    "top3": [
        {"code": "mel", "name": "Melanoma", "probability": 0.61},
        {"code": "nv", "name": "Mole (melanocytic nevus)", "probability": 0.3},
        {"code": "bkl", "name": "Benign keratosis", "probability": 0.05},
    ],
    "ood_flag": False,
    "model_version": "jildi-mnv2-3.0.0+a8ddde92d751",
    "claim": None,
    "reviewed": False,
    "links": {
        "self": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/",
        "image": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/image/",
        "thumbnail": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/thumbnail/",
        "heatmap": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/heatmap/",
        "claim": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/claim/",
        "feedback": "/api/v1/clinician/cases/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/feedback/",
    },
}
CLAIM_EXAMPLE = {
    "clinician": "Dr Clara Clinician",
    "is_mine": True,
    "claimed_at": "2026-11-25T18:10:00Z",
    "expires_at": "2026-11-25T19:10:00Z",
}
FEEDBACK_INPUT_EXAMPLE = {
    "verdict": "agree",
    "diagnosis_code": "mel",
    "diagnosis_other": "",
    "urgency": "soon",
    "message": "Please see a dermatologist within two weeks to have this mole checked.",
    "private_note": "Asymmetric, two colours; dermoscopy advised.",
}
FEEDBACK_EXAMPLE = {
    **FEEDBACK_INPUT_EXAMPLE,
    "verdict_display": "Agree with the AI result",
    "diagnosis_label": "Melanoma",
    "urgency_display": "See a dermatologist within 2 weeks",
    "version": 1,
    "author": "Dr Clara Clinician",
    "created_at": "2026-11-25T18:20:00Z",
    "updated_at": "2026-11-25T18:20:00Z",
    "versions": [
        {
            "number": 1,
            "author": "Dr Clara Clinician",
            "created_at": "2026-11-25T18:20:00Z",
            **FEEDBACK_INPUT_EXAMPLE,
        }
    ],
}

CASE_DETAIL_EXAMPLE = {
    **CASE_EXAMPLE,
    "note": "It has grown over the last month.",
    "answers": {
        "age": 58,
        "sex": "male",
        "body_site": "back",
        "duration": "months",
        "grew": True,
        "bleeds": False,
    },
    "probabilities": {
        "akiec": 0.01,
        "bcc": 0.02,
        "bkl": 0.05,
        "df": 0.0,
        "mel": 0.61,
        "nv": 0.3,
        "vasc": 0.01,
    },
    "cam_class": "mel",
    "feedback": None,
    "can_edit_feedback": True,
    "earlier": [
        {
            "id": "0b9e8f52-3c1d-4a8e-9f0e-2d4c6b8a1e37",
            "created_at": "2026-10-01T09:00:00Z",
            "body_site": "back",
            "status": "done",
            "risk_tier": "monitor",
            "predicted_class": "nv",
        }
    ],
}


# --- operations -------------------------------------------------------------------


queue_get = extend_schema(
    operation_id="clinician_queue_list",
    tags=["clinician"],
    summary="Review queue",
    description=(
        "Cases whose patients asked for a review, urgent first then oldest first "
        "(`state=reviewed`: newest feedback first). `state`: pending (default), open, mine, "
        "taken, reviewed. Clinicians and admins only (others get 404)."
    ),
    parameters=[
        OpenApiParameter("state", OpenApiTypes.STR, enum=list(QueueState.ALL)),
        OpenApiParameter("risk", OpenApiTypes.STR, enum=[*Diagnosis.Risk.values, Diagnosis.Status.REJECTED]),
        OpenApiParameter("body_site", OpenApiTypes.STR, enum=BodySite.values),
    ],
    responses={200: CaseSerializer(many=True), **error_responses(400, 404)},
    examples=[OpenApiExample("Case", value=CASE_EXAMPLE, response_only=True)],
)

queue_counts_get = extend_schema(
    operation_id="clinician_queue_counts",
    tags=["clinician"],
    summary="Queue counts",
    description="Cases per queue state, and waiting cases per risk tier.",
    responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **error_responses(404)},
    examples=[
        OpenApiExample(
            "Counts",
            value={
                "pending": 4,
                "open": 3,
                "mine": 1,
                "taken": 0,
                "reviewed": 12,
                "risk_urgent": 1,
                "risk_monitor": 2,
                "risk_routine": 1,
                "risk_rejected": 0,
            },
            response_only=True,
        )
    ],
)

case_get = extend_schema(
    operation_id="clinician_case_retrieve",
    tags=["clinician"],
    summary="Open a case",
    description=(
        "The case with the AI result, the patient's note, earlier checks and the full "
        "feedback (private note and every version). No patient name or email. Logged in "
        "the audit log."
    ),
    parameters=[ID_PARAMETER],
    responses={200: CaseDetailSerializer, **error_responses(404)},
    examples=[
        OpenApiExample(
            "Case",
            value=CASE_DETAIL_EXAMPLE,
            response_only=True,
        )
    ],
)

claim_post = extend_schema(
    operation_id="clinician_case_claim",
    tags=["clinician"],
    summary="Claim a case",
    description=(
        "Claim the case for yourself; claiming your own claim again restarts its clock. "
        "409 if another clinician holds it or it has been reviewed. Claims expire after "
        "the configured time and the case returns to the queue."
    ),
    parameters=[ID_PARAMETER],
    request=None,
    responses={200: ClaimSerializer, **error_responses(404, 409)},
    examples=[OpenApiExample("Claimed", value=CLAIM_EXAMPLE, response_only=True)],
)

claim_delete = extend_schema(
    operation_id="clinician_case_release",
    tags=["clinician"],
    summary="Release a case",
    description="Give the case back to the queue (the clinician holding it, or an admin).",
    parameters=[ID_PARAMETER],
    request=None,
    responses={204: OpenApiResponse(description="Released"), **error_responses(404, 409)},
)

feedback_get = extend_schema(
    operation_id="clinician_feedback_retrieve",
    tags=["clinician"],
    summary="Read the feedback",
    description=(
        "The full feedback with the private note and every version; 404 if none yet. Logged in the audit log."
    ),
    parameters=[ID_PARAMETER],
    responses={200: ClinicianFeedbackSerializer, **error_responses(404)},
    examples=[OpenApiExample("Feedback", value=FEEDBACK_EXAMPLE, response_only=True)],
)

feedback_post = extend_schema(
    operation_id="clinician_feedback_create",
    tags=["clinician"],
    summary="Give feedback",
    description=(
        "First feedback on a case. The patient sees the message, diagnosis and urgency "
        "(never the private note) and is emailed a link. 409 if the case already has "
        "feedback (amend it with PUT) or another clinician holds the case."
    ),
    parameters=[ID_PARAMETER],
    request=FeedbackInputSerializer,
    responses={201: ClinicianFeedbackSerializer, **error_responses(400, 404, 409)},
    examples=[
        OpenApiExample("Feedback", value=FEEDBACK_INPUT_EXAMPLE, request_only=True),
        OpenApiExample("Saved", value=FEEDBACK_EXAMPLE, response_only=True, status_codes=["201"]),
    ],
)

feedback_put = extend_schema(
    operation_id="clinician_feedback_amend",
    tags=["clinician"],
    summary="Amend the feedback",
    description=(
        "Replace the feedback with a new version (the earlier ones are kept). Only an "
        "author of an earlier version or an admin may amend (409 otherwise). Leaving "
        "`private_note` out keeps the current note; send an empty string to clear it."
    ),
    parameters=[ID_PARAMETER],
    request=FeedbackInputSerializer,
    responses={200: ClinicianFeedbackSerializer, **error_responses(400, 404, 409)},
    examples=[
        OpenApiExample(
            "Amendment", value={**FEEDBACK_INPUT_EXAMPLE, "urgency": "emergency"}, request_only=True
        ),
        OpenApiExample(
            "Saved", value={**FEEDBACK_EXAMPLE, "urgency": "emergency", "version": 2}, response_only=True
        ),
    ],
)
