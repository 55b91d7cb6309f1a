"""Fuzz the running API with schemathesis (v4 CLI) against a live test server.

Bounded: a few examples per operation, one worker, fixed seed; the run must report
0 server errors and 0 schema violations. The token belongs to a clinician who also
has diagnoses of their own, so both patient and clinician endpoints are exercised.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.testing import enrol_totp
from accounts.tokens import token_issue
from diagnosis.models import Spot
from diagnosis.tests.factories import DiagnosisFactory
from diseases.tests.factories import DiseaseFactory

# integration: it runs an external process (the schemathesis CLI) for about a minute.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIME_BUDGET_SECONDS = 90


def _schemathesis() -> str:
    candidate = Path(sys.executable).with_name("schemathesis")
    return str(candidate) if candidate.exists() else "schemathesis"


def _verified(email: str, **extra: Any) -> User:
    user = User.objects.create_user(email=email, password="Correct-Horse-Battery-9", **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AXES_ENABLED = False  # sign-in fuzzing must not lock accounts for other tests
    # Generous limits so the fuzzer reaches the views instead of stopping at 429
    # (throttling itself is tested in the app tests).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "10000/hour", "auth": "10000/minute"},
    }
    fuzzer = _verified("fuzzer@example.com", is_clinician=True)
    enrol_totp(fuzzer)  # a clinician's token works only with two-factor sign-in set up
    patient = _verified("patient@example.com")
    own = DiagnosisFactory(owner=fuzzer)
    spot = Spot.objects.create(owner=fuzzer, name="Fuzzed spot")
    DiagnosisFactory(owner=fuzzer, spot=spot)
    case = DiagnosisFactory(owner=patient, review_requested=True)
    DiseaseFactory(code="mel", name_en="Melanoma")
    _instance, token = token_issue(user=fuzzer)
    # Real ids for path parameters, so operations are exercised beyond 404s.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"""
[[operations]]
include-path-regex = "^/api/v1/clinician/cases/"
parameters = {{ "path.id" = "{case.pk}" }}

[[operations]]
include-operation-id = ["diagnoses_retrieve", "diagnoses_retry", "diagnoses_image",
                        "diagnoses_thumbnail", "diagnoses_heatmap"]
parameters = {{ "path.id" = "{own.pk}" }}

[[operations]]
include-path-regex = "^/api/v1/spots/{{id}}/"
parameters = {{ "path.id" = "{spot.pk}", "path.diagnosis_id" = "{own.pk}" }}

[[operations]]
include-operation-id = "diseases_retrieve"
parameters = {{ "path.code" = "mel" }}
"""
    )

    command = [
        _schemathesis(),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        # Revoking its own token would turn the rest of the run into 401s.
        "--exclude-operation-id",
        "auth_token_destroy",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "5",
        # Hard wall-clock bound for the whole run.
        "--max-time",
        str(TIME_BUDGET_SECONDS - 20),
        "--seed",
        "20261125",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    started = time.monotonic()
    result = subprocess.run(
        # cwd=tmp_path: schemathesis keeps a cache directory in its working directory.
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS + 60,
    )
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Server error" not in output and "Response violates schema" not in output, output[-6000:]
    print(f"schemathesis finished in {elapsed:.0f}s\n{output[-1500:]}")
