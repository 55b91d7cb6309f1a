"""The one error the review rules raise (mapped to HTTP 409 in portal.api.errors)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django_stubs_ext import StrOrPromise


class ReviewNotAllowed(PermissionDenied):
    """A review rule was broken (case taken by someone else, not your feedback...)."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(message)
        self.message = message
