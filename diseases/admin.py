"""Admin for curators (admins and the "Content editors" group).

Arabic fields get ``dir="rtl"`` and English fields ``dir="ltr"`` regardless of the admin's
own language, so mixed-direction editing stays readable in either interface language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.db import models
from django.forms import Field
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from diseases.models import Disease, DiseaseImage, DiseaseReference

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts


def _set_direction(db_field: models.Field[Any, Any], formfield: Field | None) -> Field | None:
    if formfield is None:
        return None
    if db_field.name.endswith("_ar"):
        formfield.widget.attrs.update({"dir": "rtl", "lang": "ar"})
    elif db_field.name.endswith("_en") or db_field.name in ("code", "url"):
        formfield.widget.attrs.update({"dir": "ltr", "lang": "en"})
    if isinstance(db_field, models.TextField):
        formfield.widget.attrs.setdefault("rows", 6)
    return formfield


class DirectionMixin(BaseModelAdmin[Any]):
    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Field | None:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # Django 6 default; silences warning
        return _set_direction(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


class DiseaseReferenceInline(DirectionMixin, admin.TabularInline[DiseaseReference, Disease]):
    model = DiseaseReference
    fields = ("title", "url", "order")
    extra = 1


class DiseaseImageInline(DirectionMixin, admin.StackedInline[DiseaseImage, Disease]):
    model = DiseaseImage
    fields = ("image", "preview", "alt_en", "alt_ar", "source", "licence", "order")
    readonly_fields = ("preview",)
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, obj: DiseaseImage) -> str:
        if not obj.pk or not obj.image:
            return "-"
        url = reverse("diseases:image", kwargs={"slug": obj.disease.code, "pk": obj.pk})
        return format_html(
            '<img src="{}" alt="{}" style="max-height: 120px; max-width: 200px;">', url, obj.alt
        )


def _section(title: StrOrPromise, base: str) -> tuple[StrOrPromise, _FieldOpts]:
    return (title, {"fields": (f"{base}_en", f"{base}_ar"), "classes": ("wide",)})


@admin.register(Disease)
class DiseaseAdmin(DirectionMixin, admin.ModelAdmin[Disease]):
    list_display = ("name_en", "name_ar", "category", "urgency", "published", "updated_at")
    list_display_links = ("name_en", "name_ar")
    list_filter = ("published", "category", "urgency", "is_model_class")
    search_fields = ("code", "name_en", "name_ar", "summary_en", "summary_ar")
    ordering = ("name_en",)
    prepopulated_fields = {"code": ("name_en",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = (DiseaseReferenceInline, DiseaseImageInline)
    save_on_top = True
    fieldsets = (
        (
            _("Page"),
            {
                "fields": (
                    ("name_en", "name_ar"),
                    "code",
                    ("category", "urgency"),
                    "is_model_class",
                )
            },
        ),
        (
            _("Publication"),
            {
                "fields": ("published", "last_reviewed", ("created_at", "updated_at")),
                "description": _(
                    "A published page needs its name, summary, symptoms and "
                    "“when to see a doctor” in both Arabic and English. "
                    "Long texts use Markdown."
                ),
            },
        ),
        _section(_("Summary"), "summary"),
        _section(_("Symptoms and appearance"), "symptoms"),
        _section(_("Causes and risk factors"), "causes"),
        _section(_("When to see a doctor"), "when_to_see_doctor"),
        _section(_("Diagnosis and treatment"), "diagnosis_treatment"),
        _section(_("Prevention"), "prevention"),
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Disease | None = None
    ) -> list[str] | tuple[str, ...]:
        # The code is the public URL and the link target of diagnosis results: keep it stable.
        if obj is not None:
            return (*self.readonly_fields, "code")
        return self.readonly_fields

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Disease | None = None
    ) -> dict[str, Sequence[str]]:
        if obj is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)
