from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Full name")}),
    )
    training_consent = forms.BooleanField(
        label=_("My photos may be used to improve the model"),
        help_text=_("Optional, off unless you tick it; you can change it in your profile at any time."),
        required=False,
    )
    field_order = ["full_name", "email", "password1", "password2", "training_consent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keep the declared order (allauth builds its fields dynamically).
        self.order_fields(self.field_order)


class ProfileForm(forms.ModelForm[User]):
    # For skin checks, all optional: copied into each new check as the patient's answers.
    SKIN_FIELDS = ("birth_year", "sex", "fitzpatrick")
    CHOICE_FIELDS = ("training_consent", "notify_result_ready")

    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("Prefer not to say")), *User.Sex.choices],
        required=False,
        help_text=_("Optional. Some skin conditions are more common in women or in men."),
    )
    fitzpatrick = forms.TypedChoiceField(
        label=_("Skin type"),
        choices=[("", _("Not sure / prefer not to say")), *User.SkinType.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Optional. How your skin usually reacts to strong sun without sunscreen (the Fitzpatrick scale)."
        ),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "preferred_language",
            "preferred_theme",
            "birth_year",
            "sex",
            "fitzpatrick",
            "training_consent",
            "notify_result_ready",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
            "preferred_language": forms.Select(attrs={"class": "form-select"}),
            "preferred_theme": forms.Select(attrs={"class": "form-select"}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
        }
        help_texts = {
            "birth_year": _("Optional. Used to work out your approximate age for your skin checks."),
        }


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=User.Theme.choices)
