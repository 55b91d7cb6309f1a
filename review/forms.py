"""Forms for the clinician area: queue filters, structured feedback, admin reassign."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from diagnosis.models import BodySite, Diagnosis
from review.models import Urgency, Verdict
from review.selectors import QueueState, disease_choices

SELECT = {"class": "form-select form-select-sm"}


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[
            (QueueState.PENDING, _("Waiting for review")),
            (QueueState.OPEN, _("Not claimed")),
            (QueueState.MINE, _("Claimed by me")),
            (QueueState.TAKEN, _("Claimed by others")),
            (QueueState.REVIEWED, _("Reviewed")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    risk = forms.ChoiceField(
        label=_("Risk"),
        required=False,
        choices=[
            ("", _("All risk levels")),
            *Diagnosis.Risk.choices,
            (Diagnosis.Status.REJECTED, _("Photo not usable")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    body_site = forms.ChoiceField(
        label=_("Body site"),
        required=False,
        choices=[("", _("All body sites")), *BodySite.choices],
        widget=forms.Select(attrs=SELECT),
    )


class FeedbackForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your verdict on the AI result"),
        choices=Verdict.choices,
        widget=forms.RadioSelect,
    )
    diagnosis_code = forms.ChoiceField(
        label=_("Your diagnosis"),
        choices=(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    diagnosis_other = forms.CharField(
        label=_("Other diagnosis"),
        help_text=_("Required when you choose “Other”."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    urgency = forms.ChoiceField(
        label=_("Recommended urgency"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the patient"),
        help_text=_("The patient reads this on their result page."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
    )
    private_note = forms.CharField(
        label=_("Private clinical note"),
        help_text=_("Never shown to the patient. Visible to clinicians and admins only."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        diagnosis_code = self.fields["diagnosis_code"]
        assert isinstance(diagnosis_code, forms.ChoiceField)
        diagnosis_code.choices = [("", _("— Choose —")), *disease_choices()]


class ClinicianChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class AssignForm(forms.Form):
    clinician = ClinicianChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, diagnosis: Diagnosis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinician = self.fields["clinician"]
        assert isinstance(clinician, forms.ModelChoiceField)
        clinician.queryset = (
            User.objects.filter(is_clinician=True, is_active=True)
            .exclude(pk=diagnosis.owner_id)
            .order_by("full_name", "email")
        )
