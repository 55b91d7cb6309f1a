"""The one place role checks live. Import these; never re-implement them.

Roles: patient (everyone who signs up), clinician (granted by an admin only),
admin (staff or superuser).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission


def is_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and (user.is_staff or user.is_superuser)
    )


def is_clinician(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_clinician", False)
    )


def is_patient(user: Any) -> bool:
    """Every signed-in, active account is a patient of its own records."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can_review(user: Any) -> bool:
    """Clinicians and admins may open the clinician area."""
    return is_clinician(user) or is_admin(user)


def clinician_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinician or admin only: anonymous -> login, other signed-in users -> 404.

    404 rather than 403 so the clinician area does not advertise itself.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_review(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class IsClinician(BasePermission):
    """DRF permission: clinician or admin."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return can_review(request.user)


class IsAdmin(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return is_admin(request.user)
