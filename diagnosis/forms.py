from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from diagnosis.models import BodySite, Diagnosis


class UploadForm(forms.Form):
    # A plain FileField: the content is sniffed and validated by the service
    # (diagnosis.imaging.validate_upload), never by name or content type.
    image = forms.FileField(
        label=_("Photo of the skin spot"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "capture": "environment", "class": "form-control"}
        ),
        error_messages={
            "required": _("Please choose or take a photo."),
            "empty": _("The file is empty. Please choose a photo."),
        },
    )
    body_site = forms.ChoiceField(
        label=_("Where on the body is it? (optional)"),
        choices=[("", _("— Choose —")), *BodySite.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For example: how long you have had it, or whether it has changed."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    review_requested = forms.BooleanField(
        label=_("Ask a clinician to review this photo"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Diagnosis.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    risk = forms.ChoiceField(
        label=_("Risk"),
        choices=[("", _("All risk levels")), *Diagnosis.Risk.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
