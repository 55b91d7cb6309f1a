"""Request limits and security headers that apply to every page and API call."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

# Browser features a page may use. The camera is for the live capture page, on our own
# origin only; nothing else (microphone, location, payment, USB...) is ever needed.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "hid=()",
        "midi=()",
        "display-capture=()",
        "accelerometer=()",
        "gyroscope=()",
        "magnetometer=()",
        "browsing-topics=()",
        "interest-cohort=()",
    ]
)


def max_request_bytes() -> int:
    return int(settings.MAX_REQUEST_BYTES)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def too_large_message() -> str:
    return _("The upload is too large. The limit is %(limit)s.") % {
        "limit": filesizeformat(max_request_bytes())
    }


class RequestSizeLimitMiddleware:
    """Refuse a body by its Content-Length before a single byte of it is read.

    Django only notices an oversized file after spooling all of it to a temporary file;
    this answers 413 straight away. The front server (nginx ``client_max_body_size``)
    enforces the same number even earlier (README, "Security"). Must run before anything
    that reads ``request.POST`` (the CSRF middleware does).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is None:
            return self._refuse(request, 400, "invalid", lambda: _("Invalid Content-Length header."))
        if length > max_request_bytes():
            return self._refuse(request, 413, "too_large", too_large_message)
        return self.get_response(request)

    def _refuse(
        self, request: HttpRequest, status: int, code: str, message: Callable[[], str]
    ) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            # The API's own language rule (?lang=, then Accept-Language) and error shape.
            from portal.api.views import request_language

            with translation.override(request_language(request) or translation.get_language()):
                body = {"error": {"code": code, "message": message(), "fields": {}}}
            return JsonResponse(body, status=status)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"errors": [message()]}, status=status)
        return HttpResponse(message(), status=status, content_type="text/plain; charset=utf-8")


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
