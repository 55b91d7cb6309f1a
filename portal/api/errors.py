"""One error shape for every API failure, with translated messages:

    {"error": {"code": "invalid", "message": "...", "fields": {"image": ["..."]}}}

``code`` is stable and machine-readable; ``message`` is in the request's language.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.exceptions import Conflict
from review.exceptions import ReviewNotAllowed

logger = logging.getLogger(__name__)

NON_FIELD_KEYS = {"non_field_errors", "detail"}
SERVER_ERROR = _("Something went wrong on our side. Please try again later.")


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [msg for value in detail for msg in _flatten(value)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    """Serializer errors as {field: [messages]}; nested fields joined with dots."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}", sub)
        else:
            out.setdefault(prefix, []).extend(_flatten(value))

    walk("", detail)
    return out


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError) and type(exc) is exceptions.ValidationError:
        return "invalid"
    return str(getattr(exc, "default_code", "error"))


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request is too large.")
    default_code = "too_large"


class TooManyParts(exceptions.ParseError):
    default_detail = _("The request has too many files or fields.")
    default_code = "too_many_parts"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Django's body limits (DATA_UPLOAD_MAX_*) surface while DRF parses: a client's
    # mistake, not a server error.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFilesSent | TooManyFieldsSent):
        exc = TooManyParts()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ReviewNotAllowed):  # a review rule: the case's state says no
        exc = Conflict(detail=str(exc.message))
    elif isinstance(exc, DjangoValidationError):  # a service's rule on the submitted values
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, DjangoPermissionDenied):
        message = exc.args[0] if exc.args and exc.args[0] else None
        exc = exceptions.PermissionDenied(detail=message)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        # An unexpected error: log it with its traceback, answer in the API's format.
        view = context.get("view")
        logger.error("API error in %s", type(view).__name__, exc_info=exc)
        return Response(
            {"error": {"code": "server_error", "message": str(SERVER_ERROR), "fields": {}}},
            status=500,
        )
    fields: dict[str, list[str]] = {}
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        fields = _fields({k: v for k, v in detail.items() if k not in NON_FIELD_KEYS})
        general = _flatten({k: v for k, v in detail.items() if k in NON_FIELD_KEYS})
        message = general[0] if general else str(_("Please correct the errors below."))
    else:
        messages = _flatten(detail)
        message = messages[0] if messages else str(exc.default_detail)
    response.data = {"error": {"code": _code(exc), "message": message, "fields": fields}}
    return response


# --- OpenAPI description of the error shape -----------------------------------------


class ErrorBodySerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    # A declared field named "fields": DRF's serializer metaclass moves it out of the class,
    # so it never shadows Serializer.fields; the stubs cannot know that.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages for validation errors; empty otherwise.",
    )


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    error = ErrorBodySerializer()


def _example(code: str, message: str, fields: dict[str, list[str]] | None = None) -> OpenApiExample:
    return OpenApiExample(
        code,
        value={"error": {"code": code, "message": message, "fields": fields or {}}},
        response_only=True,
    )


ERROR_DESCRIPTIONS: dict[int, tuple[str, OpenApiExample]] = {
    400: (
        "Invalid input",
        _example("invalid", "Please correct the errors below.", {"field": ["This field is required."]}),
    ),
    401: (
        "Not authenticated (send `Authorization: Token <key>`)",
        _example("not_authenticated", "Authentication credentials were not provided."),
    ),
    403: ("Not allowed", _example("permission_denied", "You do not have permission to perform this action.")),
    404: ("Not found (or not yours)", _example("not_found", "Not found.")),
    409: (
        "Conflicts with the current state",
        _example("conflict", "Another clinician is already reviewing this case."),
    ),
    413: ("Request body too large", _example("too_large", "The request is too large.")),
    429: (
        "Too many requests; see the `Retry-After` header",
        _example("throttled", "Request was throttled. Expected available in 60 seconds."),
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error status codes (401/403 are always possible)."""
    out = {}
    for code in sorted({*codes, 401, 403}):
        description, example = ERROR_DESCRIPTIONS[code]
        out[code] = OpenApiResponse(ErrorSerializer, description=description, examples=[example])
    return out


def not_found(request: Any, *args: Any, **kwargs: Any) -> Any:
    """JSON 404 for unknown URLs under /api/v1/ (instead of the site's HTML page)."""
    from django.http import JsonResponse

    body = {"error": {"code": "not_found", "message": str(exceptions.NotFound.default_detail), "fields": {}}}
    return JsonResponse(body, status=404)
