"""The OpenAPI schema is valid, complete and documented; the docs pages are self-hosted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED_OPERATIONS = {
    ("post", "/api/v1/auth/token/"),
    ("delete", "/api/v1/auth/token/"),
    ("get", "/api/v1/me/"),
    ("patch", "/api/v1/me/"),
    ("get", "/api/v1/diagnoses/"),
    ("post", "/api/v1/diagnoses/"),
    ("get", "/api/v1/diagnoses/{id}/"),
    ("delete", "/api/v1/diagnoses/{id}/"),
    ("post", "/api/v1/diagnoses/{id}/retry/"),
    ("get", "/api/v1/diagnoses/{id}/image/"),
    ("get", "/api/v1/diagnoses/{id}/thumbnail/"),
    ("get", "/api/v1/diagnoses/{id}/heatmap/"),
    ("get", "/api/v1/diseases/"),
    ("get", "/api/v1/diseases/{code}/"),
    ("get", "/api/v1/clinician/queue/"),
    ("get", "/api/v1/clinician/cases/{id}/"),
    ("post", "/api/v1/clinician/cases/{id}/claim/"),
    ("post", "/api/v1/clinician/cases/{id}/feedback/"),
    ("put", "/api/v1/clinician/cases/{id}/feedback/"),
}


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any) -> Path:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        # Fails on any warning (undocumented types, enum clashes, unknown path params).
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return path


@pytest.fixture(scope="module")
def schema(schema_file: Path) -> dict[str, Any]:
    return yaml.safe_load(schema_file.read_text())


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_schema_validates_without_warnings(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert {(m, p) for m, p, _ in operations(schema)} >= EXPECTED_OPERATIONS


def test_every_path_is_versioned(schema: dict[str, Any]) -> None:
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_every_operation_is_documented_with_examples_and_errors(schema: dict[str, Any]) -> None:
    for method, path, op in operations(schema):
        assert op.get("summary") and op.get("description"), (method, path)
        text = yaml.safe_dump(op)
        assert "examples:" in text, f"{method} {path} has no example"
        assert "'401'" in text or op["operationId"] == "auth_token_create", (method, path)
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code)


def test_success_examples_exist_for_json_bodies(schema: dict[str, Any]) -> None:
    for method, path, op in operations(schema):
        for code, response in op["responses"].items():
            content = response.get("content", {}).get("application/json")
            if code.startswith("2") and content is not None:
                assert content.get("examples"), f"{method} {path} {code} has no response example"


def test_token_auth_is_described(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["in"] == "header"
    assert "cookieAuth" in schemes


def test_schema_endpoint_serves_openapi_json() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Jildi API"


@pytest.mark.parametrize(("url", "asset"), [("/api/docs/", "swagger-ui"), ("/api/redoc/", "redoc")])
def test_docs_pages_use_self_hosted_assets(url: str, asset: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("/static/drf_spectacular_sidecar/" in s and asset in s for s in sources), sources
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))], sources
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source


def test_token_endpoints_document_expiry_and_revoking_every_device(schema: dict[str, Any]) -> None:
    token_path = schema["paths"]["/api/v1/auth/token/"]
    ref = token_path["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"token", "expiry"} <= set(body["properties"])
    assert "all" in {p["name"] for p in token_path["delete"]["parameters"]}
    assert "expire" in schema["components"]["securitySchemes"]["tokenAuth"]["description"]
