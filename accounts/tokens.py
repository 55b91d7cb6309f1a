"""API tokens (django-rest-knox): hashed at rest, one per sign-in (so per device), expiring.

Only a SHA-512 digest of a token is stored (plus knox's 15-character lookup prefix); the token
itself is shown once, in the sign-in response. Every token of a user is revoked when the
password is changed or reset (any route: allauth, the admin, ``changepassword``) and with the
account, which cascades. Keep at most ``API_TOKENS_PER_USER`` live tokens: signing in on one
device more retires the oldest.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

from accounts.mfa import api_token_user_check
from accounts.models import User

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

logger = logging.getLogger(__name__)


def tokens_per_user() -> int:
    return max(1, settings.API_TOKENS_PER_USER)


def token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new token for one device: (stored row, the token to hand out once)."""
    with transaction.atomic():
        now = timezone.now()
        AuthToken.objects.filter(user=user, expiry__lt=now).delete()
        keep = tokens_per_user() - 1
        stale = list(
            AuthToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)[keep:]
        )
        if stale:
            AuthToken.objects.filter(digest__in=stale).delete()
        issued: tuple[AuthToken, str] = AuthToken.objects.create(user=user)
        return issued


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def tokens_revoke_all(*, user: User) -> int:
    """Sign every app and device of ``user`` out of the API."""
    deleted: int = AuthToken.objects.filter(user=user).delete()[0]
    if deleted:
        logger.info("revoked %d API token(s) of user %s", deleted, user.pk)
    return deleted


def revoke_tokens_on_password_change(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """post_save of the user model: ``set_password()`` leaves the new raw password in
    ``_password`` until the save completes (Django's own password_changed hook uses the same
    marker), so this catches every change and reset but not a hasher upgrade at sign-in."""
    if not created and getattr(instance, "_password", None) is not None:
        tokens_revoke_all(user=instance)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication (``Authorization: Token <token>``), answering 401 rather
    than failing on a header that is not text."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        credentials: tuple[User, AuthToken] = super().authenticate_credentials(token)
        api_token_user_check(credentials[0])
        return credentials


# drf-spectacular registers extensions in an __init_subclass__ that has no annotations.
class ApiTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: the scheme keeps the name ``tokenAuth`` that clients already know."""

    target_class = "accounts.tokens.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        definition = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
        definition["description"] = (
            "`Authorization: Token <token>` with a token from POST /api/v1/auth/token/. "
            "Each sign-in gets its own token; it expires (see `expiry`) and is revoked when "
            "the password changes."
        )
        return definition
