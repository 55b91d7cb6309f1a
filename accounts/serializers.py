"""API serializers for accounts: token sign-in and the signed-in user's profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User, validate_birth_year
from accounts.roles import is_admin, is_clinician


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_(
            "Two-factor sign-in: the 6-digit code from the authenticator app, or a recovery code. "
            "Required for accounts that use two-factor sign-in (every clinician and staff account)."
        ),
    )


class TokenSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(
        help_text=_("Send as `Authorization: Token <token>`. Shown only once: the server keeps only a hash.")
    )
    expiry = serializers.DateTimeField(
        allow_null=True, help_text=_("When the token stops working; sign in again after that.")
    )


class MeSerializer(serializers.Serializer[User]):
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferred_theme = serializers.ChoiceField(choices=User.Theme.choices, required=False)
    # Optional, for skin checks (copied into each new check as the patient's answers); null clears.
    birth_year = serializers.IntegerField(
        required=False,
        allow_null=True,
        validators=[validate_birth_year],
        help_text=_("Year of birth (optional); gives the approximate age for skin checks."),
    )
    sex = serializers.ChoiceField(choices=User.Sex.choices, required=False, allow_blank=True)
    fitzpatrick = serializers.ChoiceField(
        choices=User.SkinType.choices,
        required=False,
        allow_null=True,
        help_text=_("Fitzpatrick skin type 1-6 (optional): how the skin reacts to strong sun."),
    )
    training_consent = serializers.BooleanField(
        required=False, help_text=_("My photos may be used to improve the model (off by default).")
    )
    notify_result_ready = serializers.BooleanField(
        required=False, help_text=_("An email with a link only, when an analysis takes longer than usual.")
    )
    is_clinician = serializers.SerializerMethodField()
    is_admin = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.BooleanField())
    def get_is_clinician(self, user: User) -> bool:
        return is_clinician(user)

    @extend_schema_field(serializers.BooleanField())
    def get_is_admin(self, user: User) -> bool:
        return is_admin(user)
