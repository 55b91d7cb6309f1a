"""Spots API: every endpoint's access rules, and what each one does."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from diagnosis.models import Diagnosis, Spot
from diagnosis.spots import services
from diagnosis.tests.factories import DiagnosisFactory
from portal.testing import error_code, token_client

pytestmark = pytest.mark.django_db

NOT_OWNERS = ["other_patient", "clinician", "admin_user", "content_editor"]


@pytest.fixture
def spot(owner: Any) -> Spot:
    return services.spot_create(owner=owner, name="Mole on left shoulder", body_site="back")


@pytest.fixture
def check(owner: Any, spot: Spot) -> Diagnosis:
    return DiagnosisFactory(owner=owner, spot=spot)


def _calls(spot: Spot, check: Diagnosis) -> list[tuple[str, str, dict[str, Any] | None, int]]:
    """(method, url, body, status for the owner) for every object endpoint."""
    detail = reverse("api:spot-detail", kwargs={"pk": spot.pk})
    checks = reverse("api:spot-checks", kwargs={"pk": spot.pk})
    one = reverse("api:spot-check-detail", kwargs={"pk": spot.pk, "diagnosis_id": check.pk})
    return [
        ("get", detail, None, 200),
        ("patch", detail, {"name": "Renamed", "reminder_months": 3}, 200),
        ("post", checks, {"diagnosis": str(check.pk)}, 200),
        ("delete", one, None, 204),
        ("delete", detail, None, 204),
    ]


def test_the_owner_can_use_every_spot_endpoint(owner: Any, spot: Spot, check: Diagnosis) -> None:
    client = token_client(owner)
    for method, url, body, expected in _calls(spot, check):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == expected, (method, url, response.content)


@pytest.mark.parametrize("who", NOT_OWNERS)
def test_nobody_else_can_see_or_change_a_spot(
    request: pytest.FixtureRequest, who: str, spot: Spot, check: Diagnosis
) -> None:
    client = token_client(request.getfixturevalue(who))
    for method, url, body, _expected in _calls(spot, check):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (who, method, url)
        assert error_code(response) == "not_found"
    spot.refresh_from_db()
    check.refresh_from_db()
    assert spot.name == "Mole on left shoulder" and spot.remind_at is None and check.spot_id == spot.pk
    assert client.get(reverse("api:spot-list")).json()["results"] == []


def test_anonymous_and_unverified_are_refused(unverified: Any, spot: Spot, check: Diagnosis) -> None:
    for client, status in ((token_client(None), 401), (token_client(unverified), 403)):
        assert client.get(reverse("api:spot-list")).status_code == status
        for method, url, body, _expected in _calls(spot, check):
            assert getattr(client, method)(url, body, format="json").status_code == status
    assert Spot.objects.filter(pk=spot.pk).exists()


def test_create_list_and_read_a_spot_with_its_timeline(owner: Any) -> None:
    client = token_client(owner)
    created = client.post(
        reverse("api:spot-list"), {"name": "  Freckle  ", "body_site": "face"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (
        body["name"] == "Freckle" and body["checks"] == [] and body["links"]["page"].startswith("/diagnosis/")
    )
    spot = Spot.objects.get(pk=body["id"])
    DiagnosisFactory(owner=owner, spot=spot, risk_tier="monitor")
    DiagnosisFactory(owner=owner, spot=spot, risk_tier="urgent")
    listed = client.get(reverse("api:spot-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["check_count"] == 2
    detail = client.get(body["links"]["self"]).json()
    assert [c["tier_changed"] for c in detail["checks"]] == [False, True]
    assert detail["checks"][1]["previous_tier"] == "monitor"


def test_bad_input_gets_a_translated_error_and_writes_nothing(owner: Any, spot: Spot) -> None:
    client = token_client(owner)
    empty = client.post(reverse("api:spot-list") + "?lang=ar", {"name": " "}, format="json")
    assert empty.status_code == 400 and "name" in empty.json()["error"]["fields"]
    assert empty["Content-Language"] == "ar"
    months = client.patch(
        reverse("api:spot-detail", kwargs={"pk": spot.pk}), {"reminder_months": 5}, format="json"
    )
    assert months.status_code == 400 and "reminder_months" in months.json()["error"]["fields"]
    assert Spot.objects.count() == 1 and Spot.objects.get().remind_at is None


def test_attach_refuses_someone_elses_check(owner: Any, other_patient: Any, spot: Spot) -> None:
    theirs = DiagnosisFactory(owner=other_patient)
    response = token_client(owner).post(
        reverse("api:spot-checks", kwargs={"pk": spot.pk}), {"diagnosis": str(theirs.pk)}, format="json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.spot_id is None


def test_reminder_null_cancels(owner: Any, spot: Spot) -> None:
    client = token_client(owner)
    url = reverse("api:spot-detail", kwargs={"pk": spot.pk})
    assert client.patch(url, {"reminder_months": 12}, format="json").json()["reminder_months"] == 12
    cancelled = client.patch(url, {"reminder_months": None}, format="json").json()
    assert cancelled["reminder_months"] is None and cancelled["remind_at"] is None
