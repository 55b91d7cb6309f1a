"""OpenAPI examples for the clinician API (kept apart so the views stay short)."""

from __future__ import annotations

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
