"""API access: signed in with a verified email address (role checks: accounts.roles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from rest_framework.permissions import BasePermission

from accounts.models import User
from portal.api.exceptions import EmailNotVerified

if TYPE_CHECKING:
    # Not at run time: rest_framework.views loads DEFAULT_PERMISSION_CLASSES, i.e. this module.
    from rest_framework.request import Request
    from rest_framework.views import APIView


def user_has_verified_email(user: User) -> bool:
    verified: bool = EmailAddress.objects.filter(user=user, verified=True).exists()  # allauth: untyped
    return verified


class IsVerifiedUser(BasePermission):
    """Authenticated, active and with a verified email address.

    The site never signs in unverified accounts (mandatory verification); the API
    holds the same line for tokens and sessions alike.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user_has_verified_email(user):
            raise EmailNotVerified
        return True
