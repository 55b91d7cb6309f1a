from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from diagnosis import answers as spot_answers
from diagnosis.framing import FIELDS as CROP_FIELDS
from diagnosis.framing import parse_crop
from diagnosis.models import BodySite, Diagnosis
from diagnosis.spots.forms import clean_spot_choice


def _yes_no_field(question: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=question,
        choices=spot_answers.YES_NO_CHOICES,
        coerce=spot_answers.yes_no,
        empty_value=None,
        required=False,
        initial="",
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )


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
        help_text=_("Anything else you would like the clinician to know."),
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
    # Six questions about the spot and how long it has been there: all optional.
    duration = forms.ChoiceField(
        label=_("How long has the spot been there?"),
        choices=[("", _("— Not sure / skip —")), *spot_answers.DURATION_CHOICES],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    itches = _yes_no_field(spot_answers.QUESTIONS[0][1])
    grew = _yes_no_field(spot_answers.QUESTIONS[1][1])
    hurts = _yes_no_field(spot_answers.QUESTIONS[2][1])
    changed = _yes_no_field(spot_answers.QUESTIONS[3][1])
    bleeds = _yes_no_field(spot_answers.QUESTIONS[4][1])
    raised = _yes_no_field(spot_answers.QUESTIONS[5][1])
    # The patient's frame around the spot, set by static/js/diagnosis/framing.js (pixels of the
    # photo as displayed). Blank = no frame (no JavaScript, or not framed): the whole photo.
    crop_x = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_y = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_width = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_height = forms.CharField(required=False, widget=forms.HiddenInput)
    # Which spot this check follows (optional): "" none, "new" (named in spot_name) or a spot id;
    # rendered by templates/diagnosis/spots/_upload_choice.html, cleaned to a Spot or None.
    spot = forms.CharField(required=False)
    spot_name = forms.CharField(required=False, max_length=100)

    QUESTION_FIELDS = tuple(name for name, _q, _l in spot_answers.QUESTIONS)

    def __init__(self, *args: Any, owner: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        clean_spot_choice(self, self.owner, cleaned)
        try:
            cleaned["crop"] = parse_crop({name: cleaned.get(name) for name in CROP_FIELDS})
        except forms.ValidationError as exc:
            cleaned["crop"] = None
            self.add_error(None, exc)
        return cleaned

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.QUESTION_FIELDS]

    def given_answers(self) -> dict:
        """Duration and the six questions as answered (None = not answered)."""
        data = self.cleaned_data
        return {"duration": data.get("duration") or "", **{n: data.get(n) for n in self.QUESTION_FIELDS}}


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
