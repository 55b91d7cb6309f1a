"""Admin for clinician review: the read-only audit log, feedback with its
versions (read-only history) and claims. Admins only (``accounts.roles``), whatever
model permissions a staff account holds; pages showing patient data are audit-logged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from accounts.roles import AdminsOnlyModelAdminMixin
from diagnosis.models import Diagnosis
from review.audit import access_log_record_many
from review.models import CaseAccessLog, CaseClaim, Feedback, FeedbackVersion


class AuditedAdminMixin(admin.ModelAdmin[Any]):
    """Writes an audit row (channel "admin") for every case shown: one "view" for a
    change page, one "list" row per case on a list page."""

    def audit_diagnosis_id(self, obj: Any) -> Any:
        return obj.diagnosis_id

    def _audit(self, request: HttpRequest, objects: Iterable[Any], action: str) -> None:
        access_log_record_many(
            user=request.user,
            diagnosis_ids=[self.audit_diagnosis_id(obj) for obj in objects],
            action=action,
            channel=CaseAccessLog.Channel.ADMIN,
            detail=self.model._meta.model_name,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            self._audit(request, changelist.result_list, CaseAccessLog.Action.LIST)
        return response

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and original is not None:
            self._audit(request, [original], CaseAccessLog.Action.VIEW)
        return response


class ReadOnlyAdminMixin(BaseModelAdmin[Any]):
    """Records that are history: nobody edits or deletes them through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(AdminsOnlyModelAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[CaseAccessLog]):
    list_display = ("at", "user_email", "action", "detail", "channel", "diagnosis_ref")
    list_filter = ("action", "channel", "at")
    search_fields = ("user_email", "diagnosis_ref", "detail")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "user",
        "user_email",
        "action",
        "detail",
        "channel",
        "diagnosis",
        "diagnosis_ref",
    )
    fields = readonly_fields


class FeedbackVersionInline(
    AdminsOnlyModelAdminMixin, ReadOnlyAdminMixin, admin.TabularInline[FeedbackVersion, Feedback]
):
    model = FeedbackVersion
    extra = 0
    fields = (
        "number",
        "author",
        "created_at",
        "verdict",
        "diagnosis_code",
        "diagnosis_other",
        "urgency",
        "message",
        "private_note",
        "notified_at",
    )
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(Feedback)
class FeedbackAdmin(
    AdminsOnlyModelAdminMixin, AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[Feedback]
):
    list_display = ("diagnosis", "verdict", "diagnosis_code", "urgency", "version", "author", "updated_at")
    list_filter = ("verdict", "urgency", "diagnosis_code")
    search_fields = ("diagnosis__id", "author__email")
    readonly_fields = (
        "diagnosis",
        "verdict",
        "diagnosis_code",
        "diagnosis_other",
        "urgency",
        "message",
        "private_note",
        "version",
        "author",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [FeedbackVersionInline]
    list_select_related = ("author",)


@admin.register(CaseClaim)
class CaseClaimAdmin(AdminsOnlyModelAdminMixin, admin.ModelAdmin[CaseClaim]):
    list_display = ("diagnosis", "clinician", "claimed_at", "assigned_by")
    readonly_fields = ("diagnosis", "claimed_at", "assigned_by")
    list_select_related = ("clinician",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# The staff's view of a patient's diagnosis is audited like every other case read, so
# its admin lives with the audit log (the diagnosis app never imports review).
@admin.register(Diagnosis)
class DiagnosisAdmin(AdminsOnlyModelAdminMixin, AuditedAdminMixin, admin.ModelAdmin[Diagnosis]):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def audit_diagnosis_id(self, obj: Any) -> Any:
        return obj.pk
