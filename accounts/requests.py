"""Request types for code that only signed-in users reach.

To a type checker ``request.user`` is ``User | AnonymousUser``. Behind ``login_required``,
``accounts.roles.clinician_required`` or a DRF permission that requires sign-in
(``portal.api.permissions.IsVerifiedUser``) it is a ``User``: annotate such views with these
types (django-stubs' documented pattern) rather than casting at every use. Annotations only;
nothing here changes what a request is at run time.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User
