"""Admin for clinician review: the read-only audit log, feedback with its
versions (read-only history) and claims."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from diagnosis.models import CaseAccessLog, CaseClaim, Feedback, FeedbackVersion


class ReadOnlyAdminMixin:
    """Records that are history: nobody edits or deletes them through the admin."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user_email", "action", "diagnosis_ref")
    list_filter = ("action", "at")
    search_fields = ("user_email", "diagnosis_ref")
    date_hierarchy = "at"
    readonly_fields = ("at", "user", "user_email", "action", "diagnosis", "diagnosis_ref")
    fields = readonly_fields


class FeedbackVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
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
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class CaseClaimAdmin(admin.ModelAdmin):
    list_display = ("diagnosis", "clinician", "claimed_at", "assigned_by")
    readonly_fields = ("diagnosis", "claimed_at", "assigned_by")
    list_select_related = ("clinician",)

    def has_add_permission(self, request: Any) -> bool:
        return False
