from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from diagnosis.models import BodySite, Spot
from diagnosis.spots.selectors import NEW_SPOT, spot_get_for_user
from diagnosis.spots.services import spot_clean_name

REMINDER_CHOICES = [
    (1, _("In 1 month")),
    (3, _("In 3 months")),
    (6, _("In 6 months")),
    (12, _("In 12 months")),
]


class SpotForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the spot"),
        max_length=100,
        help_text=_("Something you will recognise, e.g. “mole on left shoulder”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    body_site = forms.ChoiceField(
        label=_("Where on the body is it? (optional)"),
        choices=[("", _("— Choose —")), *BodySite.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_name(self) -> str:
        return spot_clean_name(self.cleaned_data["name"])


class ReminderForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Remind me to re-check this spot"),
        choices=REMINDER_CHOICES,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Please choose 1, 3, 6 or 12 months.")},
    )


def clean_spot_choice(form: forms.Form, owner: User | Any, cleaned: dict[str, Any]) -> None:
    """``spot``: "" (none), "new" (named in ``spot_name``) or one of ``owner``'s spot ids.
    Replaces ``cleaned["spot"]`` by a Spot or None; errors go on the form's ``spot`` field."""
    choice = (cleaned.get("spot") or "").strip()
    cleaned["spot"] = None
    cleaned["spot_name"] = ""
    if not choice:
        return
    if choice == NEW_SPOT:
        try:
            cleaned["spot_name"] = spot_clean_name(form.data.get("spot_name", ""))
        except ValidationError as exc:
            form.add_error("spot", exc)
        return
    try:
        cleaned["spot"] = spot_get_for_user(user=owner, pk=choice)
    except Http404:
        form.add_error("spot", _("Please choose one of your spots."))


class AttachForm(forms.Form):
    """From the result page: put this check in a spot (existing or new), or in none."""

    spot = forms.CharField(required=False)
    spot_name = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: Any, owner: User | Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        clean_spot_choice(self, self.owner, cleaned)
        return cleaned

    def chosen_spot(self) -> Spot | None:
        return self.cleaned_data.get("spot")
