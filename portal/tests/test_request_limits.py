"""Oversized or many-part requests are refused early and in the caller's format, never a 500."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.test import APIClient

from portal.testing import token_client

ROOT = Path(__file__).resolve().parents[2]
SIXTY_MB = 60 * 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that must never be read."""

    read_from = False

    def read(self, *args: Any) -> bytes:
        type(self).read_from = True
        raise AssertionError("the body was read")

    readline = read


def call_wsgi(path: str, *, length: int, accept: str = "*/*", cookie: str = "") -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": UnreadableBody(),
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(length),
        "HTTP_ACCEPT": accept,
        "HTTP_COOKIE": cookie,
        "REMOTE_ADDR": "203.0.113.5",
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(WSGIHandler()(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/diagnoses/"])
def test_an_oversized_api_body_is_refused_unread_in_the_api_format(path: str) -> None:
    UnreadableBody.read_from = False
    status, headers, body = call_wsgi(path, length=SIXTY_MB)
    assert status.startswith("413")
    assert headers["Content-Type"] == "application/json"
    assert b'"code": "too_large"' in body or b'"code":"too_large"' in body
    assert not UnreadableBody.read_from


@pytest.mark.django_db
def test_an_oversized_web_upload_is_refused_before_it_is_spooled(owner_client: Any) -> None:
    UnreadableBody.read_from = False
    cookie = "; ".join(f"{k}={v.value}" for k, v in owner_client.cookies.items())
    status, _headers, body = call_wsgi("/diagnosis/new/", length=SIXTY_MB, cookie=cookie)
    assert status.startswith("413")
    assert b"The upload is too large. The limit is 21" in body
    assert not UnreadableBody.read_from
    status, headers, body = call_wsgi("/diagnosis/new/", length=SIXTY_MB, accept="application/json")
    assert status.startswith("413") and headers["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_refusal_is_in_arabic_too() -> None:
    client = APIClient()
    response = client.generic(
        "POST",
        "/api/v1/auth/token/?lang=ar",
        b"",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(SIXTY_MB),
    )
    assert response.status_code == 413
    assert "الملف المرفوع كبير جدًا" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_body_just_under_the_limit_is_let_through(settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 2000
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": "a@b.c", "password": "x" * 1500}, format="json"
    )
    assert response.status_code == 400  # wrong credentials, not a size problem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (
            "json",
            {"data": '{"email": "%s", "password": "x"}' % ("a" * 3000), "content_type": "application/json"},
        ),
        (
            "form",
            {
                "data": "email=%s&password=x" % ("a" * 3000),
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        ("multipart", {"data": {"email": "a" * 3000, "password": "x"}}),
    ],
)
def test_an_api_body_over_djangos_memory_limit_is_413_not_500(
    settings: Any, kind: str, payload: dict
) -> None:
    """Anonymous, to the sign-in endpoint: Django's DATA_UPLOAD_MAX_MEMORY_SIZE trips while DRF parses."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().post("/api/v1/auth/token/", **payload)
    assert response.status_code == 413, response.content
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.django_db
def test_too_many_files_in_one_api_upload_is_400_not_500(owner: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"image{i}": SimpleUploadedFile(f"{i}.jpg", b"x", content_type="image/jpeg") for i in range(3)}
    response = token_client(owner).post("/api/v1/diagnoses/", files, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "too_many_parts"


def test_the_files_per_request_limit_is_small() -> None:
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 5


def test_the_shipped_front_server_limits_match_django() -> None:
    """deploy/nginx.conf refuses what Django would refuse, before it reaches gunicorn."""
    from django.conf import settings

    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    sizes = re.findall(r"client_max_body_size\s+(\d+)m;", nginx)
    assert sizes and {int(s) * 1024 * 1024 for s in sizes} == {settings.MAX_REQUEST_BYTES}
    assert settings.MAX_REQUEST_BYTES > settings.DIAGNOSIS_MAX_UPLOAD_BYTES
    # One proxy appends the client's address; TRUSTED_PROXY_COUNT=1 reads exactly that entry.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    gunicorn = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert "limit_request_line" in gunicorn and "limit_request_fields" in gunicorn
