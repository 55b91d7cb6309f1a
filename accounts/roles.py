"""The one place role checks live. Import these; never re-implement them.

Roles:

- patient: everyone who signs up (of their own records only);
- clinician: ``is_clinician``, granted by an admin only;
- admin: a superuser, or a member of the "Administrators" group (``ADMIN_GROUP``);
- content editor: a member of the "Content editors" group; curates the disease library.

Clinicians and every staff account (admins, content editors, plain staff) must use
two-factor sign-in (``requires_mfa``); for patients it is optional.

``is_staff`` is *not* a role. It only lets an account log in to the Django admin,
where model permissions decide what it sees (a content editor: the disease library
and nothing else). A staff account is never an admin because it is staff.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.admin.options import BaseModelAdmin
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponseBase
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from accounts.models import User

if TYPE_CHECKING:
    # Not at run time: rest_framework.views loads the DRF settings' classes, which import this module.
    from rest_framework.request import Request
    from rest_framework.views import APIView

ADMIN_GROUP = "Administrators"  # created by migration accounts/0002
CONTENT_EDITOR_GROUP = "Content editors"  # created by migration diseases/0002

_GROUP_CACHE = "_role_group_names"
# Who a role check may be asked about: a request's user, signed in or not.
AnyUser: TypeAlias = AnonymousUser | User


def _active(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _group_names(user: AnyUser) -> frozenset[str]:
    """The user's group names, read once per user object (like Django's permission cache)."""
    names = getattr(user, _GROUP_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True)) if user.pk else frozenset()
        setattr(user, _GROUP_CACHE, names)
    return names


def roles_cache_clear(user: User) -> None:
    """Forget cached group names (call after changing the user's groups)."""
    with contextlib.suppress(AttributeError):
        delattr(user, _GROUP_CACHE)


def is_admin(user: AnyUser) -> bool:
    """Superuser or member of the admin group. Never ``is_staff`` alone."""
    if not _active(user):
        return False
    return bool(getattr(user, "is_superuser", False) or ADMIN_GROUP in _group_names(user))


def is_clinician(user: AnyUser) -> bool:
    return _active(user) and bool(getattr(user, "is_clinician", False))


def is_content_editor(user: AnyUser) -> bool:
    return _active(user) and CONTENT_EDITOR_GROUP in _group_names(user)


def is_patient(user: AnyUser) -> bool:
    """Every signed-in, active account is a patient of its own records."""
    return _active(user)


def can_review(user: AnyUser) -> bool:
    """Clinicians and admins may open the clinician area (and read review cases)."""
    return is_clinician(user) or is_admin(user)


def can_curate_diseases(user: AnyUser) -> bool:
    """Admins and content editors curate (and preview) the disease library."""
    return is_admin(user) or is_content_editor(user)


def requires_mfa(user: AnyUser) -> bool:
    """Clinicians, admins, content editors and every staff account must sign in with a second
    factor (TOTP); patients may (accounts.mfa enforces it)."""
    if not _active(user):
        return False
    return bool(
        getattr(user, "is_staff", False) or is_clinician(user) or is_admin(user) or is_content_editor(user)
    )


def clinician_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Clinician or admin only: anonymous -> login, other signed-in users -> 404.

    404 rather than 403 so the clinician area does not advertise itself.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_review(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class IsClinician(BasePermission):
    """DRF permission: clinician or admin (others: 403)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_review(request.user)


class IsReviewer(BasePermission):
    """DRF permission for the clinician API: clinician or admin; every other signed-in
    user gets 404, like the site's clinician area. Put it after the authentication check."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not can_review(request.user):
            raise NotFound
        return True


class IsAdmin(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_admin(request.user)


class AdminGroupBackend(BaseBackend):
    """Authentication backend that authenticates nobody: members of the admin group hold
    every model permission in the Django admin, as superusers do (they still need
    ``is_staff`` to log in there)."""

    def has_perm(self, user_obj: AnyUser, perm: str, obj: object = None) -> bool:
        return is_admin(user_obj)

    def has_module_perms(self, user_obj: AnyUser, app_label: str) -> bool:
        return is_admin(user_obj)


class AdminsOnlyModelAdminMixin(BaseModelAdmin[Any]):
    """For ModelAdmins showing patient data: admins only, whatever model permissions a
    staff account (a content editor, say) may have been given."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_admin(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_admin(request.user) and super().has_delete_permission(request, obj)
