"""Admin for diagnoses: admins only (accounts.roles); every page showing one is audit-logged."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from accounts.roles import AdminsOnlyModelAdminMixin
from diagnosis.admin_review import AuditedAdminMixin
from diagnosis.models import Diagnosis


@admin.register(Diagnosis)
class DiagnosisAdmin(AdminsOnlyModelAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "owner", "status", "predicted_class", "risk_tier", "created_at")
    list_filter = ("status", "risk_tier", "review_requested", "model_version")
    search_fields = ("id", "owner__email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "id",
        "owner",
        "image",
        "thumbnail",
        "heatmap",
        "image_width",
        "image_height",
        "status",
        "created_at",
        "enqueued_at",
        "started_at",
        "finished_at",
        "attempts",
        "error_message",
        "model_version",
        "probabilities",
        "top3",
        "predicted_class",
        "confidence",
        "risk_tier",
        "ood_flag",
        "ood_score",
        "cam_class",
        "ood_reason",
        "answers",
        "crop_box",
        "domain",
        "domain_probability",
        "answers_used",
        "reliability",
    )
    fields = (*readonly_fields[:5], "body_site", "note", "review_requested", *readonly_fields[5:])
    list_select_related = ("owner",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def audit_diagnosis_id(self, obj: Any) -> Any:
        return obj.pk
