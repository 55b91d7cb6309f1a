"""Every API failure has the same JSON shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from portal.testing import token_client

pytestmark = pytest.mark.django_db


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error


def test_unknown_api_url_is_a_json_404() -> None:
    assert_error(APIClient().get("/api/v1/no-such-endpoint/"), 404, "not_found")


def test_wrong_method_is_a_json_405(owner: Any) -> None:
    assert_error(token_client(owner).put("/api/v1/me/", {}, format="json"), 405, "method_not_allowed")


def test_malformed_json_is_a_parse_error(owner: Any) -> None:
    response = token_client(owner).generic(
        "PATCH", "/api/v1/me/", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_bad_token_is_401(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_unexpected_errors_are_json_500_and_logged(
    owner: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from accounts import api

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(api, "MeSerializer", boom)
    error = assert_error(token_client(owner).get("/api/v1/me/"), 500, "server_error")
    assert "kaboom" not in error["message"]
    assert any("kaboom" in str(record.exc_info) for record in caplog.records if record.exc_info)
