"""Base classes for API views: language from ``?lang=`` or ``Accept-Language``."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import generics
from rest_framework.views import APIView

_MT = TypeVar("_MT", bound=Model)

SUPPORTED = {code for code, _name in settings.LANGUAGES}

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=sorted(SUPPORTED),
    description="Response language; overrides the Accept-Language header.",
)


def request_language(request: Any) -> str | None:
    """``?lang=`` if supported, else the first supported Accept-Language entry, else None."""
    lang = (request.GET.get("lang") or "").strip().lower()
    if lang in SUPPORTED:
        return lang
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header) if header else ():
        base = code.split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return None


class LanguageMixin:
    """Activate the request's language before authentication and permission checks,
    so every message (errors included) comes back in it."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        language = request_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Content-Language"] = translation.get_language()
        # Answers are personal (results, photos: health data) and phones are shared:
        # nothing is kept in a browser or proxy cache unless a view says otherwise.
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class ApiView(LanguageMixin, APIView):
    pass


class GenericApiView(LanguageMixin, generics.GenericAPIView[_MT]):
    pass
