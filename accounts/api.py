"""API endpoints for accounts: obtain/revoke a token (accounts/tokens.py), read/update the profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.mfa import api_token_check
from accounts.requests import AuthenticatedRequest
from accounts.serializers import MeSerializer, TokenRequestSerializer, TokenSerializer
from accounts.services import user_update_choices, user_update_preferences, user_update_skin_profile
from accounts.tokens import token_issue, token_revoke, tokens_revoke_all
from portal.api.errors import error_responses
from portal.api.exceptions import EmailNotVerified, InvalidCredentials, LockedOut
from portal.api.permissions import user_has_verified_email
from portal.api.throttling import AuthRateThrottle
from portal.api.views import ApiView

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission

ME_EXAMPLE = OpenApiExample(
    "Profile",
    value={
        "email": "owner@example.com",
        "full_name": "Olivia Owner",
        "preferred_language": "ar",
        "preferred_theme": "dark",
        "birth_year": 1985,
        "sex": "female",
        "fitzpatrick": 3,
        "is_clinician": False,
        "is_admin": False,
        "date_joined": "2026-11-25T18:00:00Z",
    },
    response_only=True,
)


TRUE_VALUES = {"1", "true", "yes", "on"}
REVOKE_ALL = OpenApiParameter(
    "all",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="Revoke every token of the account (all apps and devices), not only this one.",
)


class TokenView(ApiView):
    """Sign in an app: exchange email + password for a token of its own, or revoke it."""

    throttle_classes = [AuthRateThrottle]

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Signing in must not depend on (or trip over the CSRF check of) a session.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="Obtain a token",
        description=(
            "Exchange the email address and password of a verified account for an API token. "
            "Every sign-in gets a new token of its own (one per app or device). Only a hash of it "
            "is stored, so it is shown this once. It stops working at `expiry` (30 days after "
            "sign-in by default), when it is revoked, and when the password is changed or reset; "
            "signing in on more devices than allowed (10 by default) retires the oldest token. "
            "Failed attempts count towards the account lockout; attempts are limited per client "
            "(429 + Retry-After). Accounts with two-factor sign-in (every clinician and staff "
            "account) also send `otp`, a code from their authenticator app or a recovery code "
            "(403 `mfa_code_required` without it); a clinician or staff account that has not set "
            "up two-factor sign-in on the website gets 403 `mfa_required`."
        ),
        request=TokenRequestSerializer,
        responses={
            200: OpenApiResponse(TokenSerializer, description="The token"),
            **error_responses(400, 429),
        },
        auth=[],
        examples=[
            OpenApiExample(
                "Sign in",
                value={"email": "owner@example.com", "password": "Correct-Horse-Battery-9"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={
                    "token": "5a4d9c0e1b7f3a2c8e6d4b1a9f0c3e7d2b8a6f4c1e9d7b3a5c0f8e2d6b4a1c9e",
                    "expiry": "2026-12-25T18:00:00Z",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            email=serializer.validated_data["email"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # Answer in the API's own format instead of the site's HTML lockout page.
            django_request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes' flag
            raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
        if user is None:
            raise InvalidCredentials
        if not user_has_verified_email(user):
            raise EmailNotVerified
        api_token_check(user=user, code=serializer.validated_data.get("otp", "").strip())
        instance, token = token_issue(user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)

    @extend_schema(
        operation_id="auth_token_destroy",
        tags=["auth"],
        summary="Revoke the token",
        description=(
            "Revoke the token this request is sent with; it stops working immediately, other "
            "devices stay signed in. With `?all=true`, or from a browser session (which has no "
            "token of its own), revoke every token of the account."
        ),
        parameters=[REVOKE_ALL],
        request=None,
        responses={204: OpenApiResponse(description="Revoked"), **error_responses()},
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        token = request.auth if isinstance(request.auth, AuthToken) else None
        if token is None or request.query_params.get("all", "").strip().lower() in TRUE_VALUES:
            tokens_revoke_all(user=request.user)
        else:
            token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ApiView):
    """The signed-in user's profile and preferences."""

    @extend_schema(
        operation_id="me_retrieve",
        tags=["me"],
        summary="Your profile",
        responses={200: MeSerializer, **error_responses()},
        examples=[ME_EXAMPLE],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        tags=["me"],
        summary="Update your name, language, theme, year of birth, sex or skin type",
        request=MeSerializer,
        responses={200: MeSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "Switch to Arabic, dark theme",
                value={"preferred_language": "ar", "preferred_theme": "dark"},
                request_only=True,
            ),
            ME_EXAMPLE,
        ],
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = user_update_preferences(
            user=request.user,
            full_name=data.get("full_name"),
            language=data.get("preferred_language"),
            theme=data.get("preferred_theme"),
        )
        skin = {f: data[f] for f in ("birth_year", "sex", "fitzpatrick") if f in data}
        user = user_update_skin_profile(user=user, **skin)
        choices = {f: data[f] for f in ("training_consent", "notify_result_ready") if f in data}
        user = user_update_choices(user=user, **choices)
        return Response(MeSerializer(user).data)
