"""API exceptions with stable codes (rendered by portal.api.errors.exception_handler)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions


class EmailNotVerified(exceptions.PermissionDenied):
    default_detail = _("Please verify your email address before using the app.")
    default_code = "email_unverified"


class InvalidCredentials(exceptions.ValidationError):
    default_detail = _("The email address or password is not correct.")
    default_code = "invalid_credentials"


class LockedOut(exceptions.Throttled):
    default_code = "locked_out"

    def __init__(self, wait: float) -> None:
        super().__init__(
            wait=wait,
            detail=str(_("Too many failed sign-in attempts. Please wait and try again later.")),
        )


class Conflict(exceptions.APIException):
    """The request clashes with the current state (e.g. a case claimed by someone else)."""

    status_code = 409
    default_detail = _("This conflicts with the current state of the resource.")
    default_code = "conflict"
