"""OpenAPI documentation of the patient's diagnosis API (drf-spectacular): one decorator per
operation, applied in diagnosis/api.py, so the views read as glue."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from diagnosis.models import Diagnosis
from diagnosis.serializers import DiagnosisCreateSerializer, DiagnosisSerializer
from portal.api.errors import error_responses

ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Diagnosis id")

DONE_EXAMPLE = OpenApiExample(
    "Finished result",
    value={
        "id": "3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21",
        "status": "done",
        "status_display": "Done",
        "error_message": "",
        "created_at": "2026-11-25T18:00:00Z",
        "finished_at": "2026-11-25T18:00:02Z",
        "body_site": "back",
        "body_site_display": "Back",
        "note": "Noticed it a month ago.",
        "review_requested": True,
        "model_version": "jildi-mnv2-3.0.0+a8ddde92d751",
        "probabilities": {
            "akiec": 0.02,
            "bcc": 0.01,
            "bkl": 0.05,
            "df": 0.01,
            "mel": 0.2,
            "nv": 0.7,
            "vasc": 0.01,
        },
        "top3": [
            {"code": "nv", "name": "Mole (melanocytic nevus)", "probability": 0.7},
            {"code": "mel", "name": "Melanoma", "probability": 0.2},
            {"code": "bkl", "name": "Benign keratosis", "probability": 0.05},
        ],
        "predicted_class": "nv",
        "predicted_name": "Mole (melanocytic nevus)",
        "confidence": 0.7,
        "risk_tier": "monitor",
        "risk_tier_display": "Monitor",
        "ood_flag": False,
        "cam_class": "nv",
        "links": {
            "self": "/api/v1/diagnoses/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/",
            "image": "/api/v1/diagnoses/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/image/",
            "thumbnail": "/api/v1/diagnoses/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/thumbnail/",
            "heatmap": "/api/v1/diagnoses/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/heatmap/",
            "page": "/diagnosis/3f1c2a4e-8d55-4c1e-9a53-0d7b1f3c9e21/",
        },
        "review": {
            "message": "This looks like an ordinary mole. Keep an eye on it.",
            "diagnosis_label": "Mole (melanocytic nevus)",
            "diagnosis_url": "/diseases/nv/",
            "urgency": "routine",
            "urgency_label": "Routine check",
            "reviewed_at": "2026-11-25T19:00:00Z",
            "amended": False,
        },
        "answers": {"age": 41, "sex": "female", "body_site": "back", "duration": "months", "grew": True},
        "answers_used": ["age", "sex", "body_site", "grew"],
        "framed": True,
        "domain": "phone",
        "domain_probability": 0.93,
        "ood_reason": "",
        "rejection_kind": "",
        "reliability": {
            "images": 170,
            "malignant": 118,
            "without_answers": {
                "urgent_sensitivity": 0.9,
                "urgent_specificity": 0.5,
                "balanced_accuracy": 0.6,
            },
            "with_answers": {
                "urgent_sensitivity": 0.93,
                "urgent_specificity": 0.52,
                "balanced_accuracy": 0.64,
            },
            "answers_helped": True,
        },
        "trust": {
            "domain_sentence": "The model took this for an ordinary phone photo (93% sure).",
            "reliability_sentence": (
                "Tested on 170 phone photos it had not learned from (118 of them cancerous or "
                "precancerous), the model sent 93% of the cancerous or precancerous spots to “urgent”, "
                "and also 48% of the other spots."
            ),
            "answers_sentence": (
                "Your answers were used: on this kind of photo they helped (93% of cancerous or "
                "precancerous spots sent to “urgent” with answers, 90% without)."
            ),
        },
    },
    response_only=True,
)
QUEUED_EXAMPLE = OpenApiExample(
    "Accepted, analysis queued",
    value={
        **DONE_EXAMPLE.value,
        "status": "queued",
        "status_display": "Queued",
        "finished_at": None,
        "model_version": "",
        "probabilities": {},
        "top3": [],
        "predicted_class": "",
        "predicted_name": "",
        "confidence": None,
        "risk_tier": "",
        "risk_tier_display": "",
        "cam_class": "",
        "links": {**DONE_EXAMPLE.value["links"], "heatmap": None},
        "review": None,
        "domain": "",
        "domain_probability": None,
        "reliability": None,
        "trust": {"domain_sentence": "", "reliability_sentence": "", "answers_sentence": ""},
    },
    response_only=True,
    status_codes=["202"],
)


# --- operations -------------------------------------------------------------------


diagnosis_list_create_get = extend_schema(
    operation_id="diagnoses_list",
    tags=["diagnoses"],
    summary="List your diagnoses",
    description="Newest first. Filter with `status` and `risk`; paginate with `page`/`page_size`.",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=Diagnosis.Status.values),
        OpenApiParameter("risk", OpenApiTypes.STR, enum=Diagnosis.Risk.values),
    ],
    responses={200: DiagnosisSerializer(many=True), **error_responses(400, 404)},
    examples=[DONE_EXAMPLE],
)

diagnosis_list_create_post = extend_schema(
    operation_id="diagnoses_create",
    tags=["diagnoses"],
    summary="Upload a photo for analysis",
    description=(
        "Multipart upload. The photo is checked (type, size, dimensions), its metadata "
        "removed, and the analysis queued: the answer is 202 with the new diagnosis in "
        "status `queued`. Optional: `crop_x/crop_y/crop_width/crop_height` (the patient's frame "
        "around the spot, in pixels of the photo as displayed, i.e. after its EXIF orientation; "
        "only the framed part is stored; all four or none), `duration` and six yes/no answers "
        "(`itches`, `grew`, `hurts`, `changed`, `bleeds`, `raised`; empty = not answered). Age, "
        "sex and skin type come from the profile (`me/`). Nothing is required beyond the photo. "
        "A bad frame is a 400 with the message under `crop`. "
        "Poll the new diagnosis's `links.self` until the status is final "
        "(`done`, `rejected` or `failed`). Uploads are limited per user per hour "
        "(429 + Retry-After)."
    ),
    request={"multipart/form-data": DiagnosisCreateSerializer},
    responses={
        202: OpenApiResponse(DiagnosisSerializer, description="Accepted; analysis queued"),
        **error_responses(400, 429),
    },
    examples=[
        OpenApiExample(
            "Upload",
            value={"image": "(binary photo)", "body_site": "back", "note": "", "review_requested": True},
            request_only=True,
        ),
        OpenApiExample(
            "Upload with a frame and answers",
            value={
                "image": "(binary photo)",
                "body_site": "back",
                "crop_x": 412,
                "crop_y": 268,
                "crop_width": 640,
                "crop_height": 640,
                "duration": "months",
                "itches": False,
                "grew": True,
                "changed": True,
            },
            request_only=True,
        ),
        QUEUED_EXAMPLE,
    ],
)

diagnosis_detail_get = extend_schema(
    operation_id="diagnoses_retrieve",
    tags=["diagnoses"],
    summary="Get a diagnosis (status, result, clinician review)",
    parameters=[ID_PARAMETER],
    responses={200: DiagnosisSerializer, **error_responses(404)},
    examples=[DONE_EXAMPLE],
)

diagnosis_detail_delete = extend_schema(
    operation_id="diagnoses_destroy",
    tags=["diagnoses"],
    summary="Delete a diagnosis and its photos",
    parameters=[ID_PARAMETER],
    responses={204: OpenApiResponse(description="Deleted"), **error_responses(404)},
)

diagnosis_retry_post = extend_schema(
    operation_id="diagnoses_retry",
    tags=["diagnoses"],
    summary="Retry a failed analysis",
    description="Puts a `failed` diagnosis back in the queue; other statuses are returned unchanged.",
    parameters=[ID_PARAMETER],
    request=None,
    responses={202: DiagnosisSerializer, **error_responses(404)},
    examples=[QUEUED_EXAMPLE],
)
