"""Spots: services, the timeline selectors and every page's access rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnosis.models import Diagnosis, Spot
from diagnosis.spots import services
from diagnosis.spots.selectors import spot_timeline, spot_timeline_for_reviewer
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.fakes import media_files
from review.services import feedback_create

pytestmark = pytest.mark.django_db

NOT_OWNERS = [
    "other_client",
    "clinician_client",
    "staff_client",
    "content_editor_client",
    "plain_staff_client",
]


@pytest.fixture
def spot(owner: Any) -> Spot:
    return services.spot_create(owner=owner, name="Mole on left shoulder", body_site="back")


def _check(owner: Any, spot: Spot | None, tier: str, days_ago: int, **fields: Any) -> Diagnosis:
    d = DiagnosisFactory(owner=owner, risk_tier=tier, spot=spot, **fields)
    Diagnosis.objects.filter(pk=d.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    d.refresh_from_db()
    return d


# (url name, method, expected for the owner); every one takes the spot's pk.
SPOT_URLS = [
    ("diagnosis:spot_detail", "get", 200),
    ("diagnosis:spot_rename", "post", 302),
    ("diagnosis:spot_reminder", "post", 302),
    ("diagnosis:spot_delete", "get", 200),
    ("diagnosis:spot_delete", "post", 302),
]


@pytest.mark.parametrize(("name", "method", "expected"), SPOT_URLS)
def test_the_owner_can_use_every_spot_url(
    owner_client: Client, spot: Spot, name: str, method: str, expected: int
) -> None:
    data = {"name": "Left shoulder", "months": "3"} if method == "post" else None
    response = getattr(owner_client, method)(reverse(name, kwargs={"pk": spot.pk}), data)
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "expected"), SPOT_URLS)
@pytest.mark.parametrize("who", NOT_OWNERS)
def test_everyone_but_the_owner_gets_404_on_a_spot(
    request: pytest.FixtureRequest, spot: Spot, who: str, name: str, method: str, expected: int
) -> None:
    client = request.getfixturevalue(who)
    data = {"name": "Hijacked", "months": "3"} if method == "post" else None
    response = getattr(client, method)(reverse(name, kwargs={"pk": spot.pk}), data)
    assert response.status_code == 404
    spot.refresh_from_db()
    assert spot.name == "Mole on left shoulder" and spot.remind_at is None


@pytest.mark.parametrize(("name", "method", "expected"), SPOT_URLS)
def test_anonymous_is_sent_to_login_from_a_spot(
    client: Client, spot: Spot, name: str, method: str, expected: int
) -> None:
    response = getattr(client, method)(reverse(name, kwargs={"pk": spot.pk}))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert Spot.objects.filter(pk=spot.pk).exists()


def test_the_spot_list_shows_only_your_spots(owner_client: Client, other_patient: Any, spot: Spot) -> None:
    services.spot_create(owner=other_patient, name="Someone else's freckle")
    page = owner_client.get(reverse("diagnosis:spot_list")).content.decode()
    assert "Mole on left shoulder" in page and "freckle" not in page


def test_creating_a_spot_needs_a_name_with_a_translated_error(owner_client: Client) -> None:
    response = owner_client.post(reverse("diagnosis:spot_list"), {"name": "   "}, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400
    assert not Spot.objects.exists()
    ok = owner_client.post(reverse("diagnosis:spot_list"), {"name": "Freckle", "body_site": "face"})
    assert ok.status_code == 302 and Spot.objects.get().body_site == "face"


def test_attach_from_the_result_page_to_a_new_then_no_spot(owner_client: Client, owner: Any) -> None:
    d = DiagnosisFactory(owner=owner, body_site="neck")
    url = reverse("diagnosis:diagnosis_spot", kwargs={"pk": d.pk})
    assert owner_client.post(url, {"spot": "new", "spot_name": "Neck mole"}).status_code == 302
    d.refresh_from_db()
    assert d.spot is not None and d.spot.name == "Neck mole" and d.spot.body_site == "neck"
    assert owner_client.post(url, {"spot": ""}).status_code == 302
    d.refresh_from_db()
    assert d.spot is None and Spot.objects.count() == 1


def test_a_check_cannot_be_put_in_someone_elses_spot(
    owner_client: Client, owner: Any, other_patient: Any
) -> None:
    theirs = services.spot_create(owner=other_patient, name="Theirs")
    d = DiagnosisFactory(owner=owner)
    owner_client.post(reverse("diagnosis:diagnosis_spot", kwargs={"pk": d.pk}), {"spot": str(theirs.pk)})
    d.refresh_from_db()
    assert d.spot is None
    with pytest.raises(ValidationError):
        services.spot_attach(spot=theirs, diagnosis=d)


@pytest.mark.parametrize("who", NOT_OWNERS)
def test_attach_to_someone_elses_check_is_404(request: pytest.FixtureRequest, owner: Any, who: str) -> None:
    d = DiagnosisFactory(owner=owner)
    client = request.getfixturevalue(who)
    url = reverse("diagnosis:diagnosis_spot", kwargs={"pk": d.pk})
    assert client.post(url, {"spot": "new", "spot_name": "x"}).status_code == 404
    assert not Spot.objects.exists()


def test_upload_into_a_new_spot_and_into_an_existing_one(
    owner_client: Client, owner: Any, enqueued: Any
) -> None:
    def post(**extra: str) -> Any:
        photo = SimpleUploadedFile("spot.jpg", images.jpeg((400, 300)), content_type="image/jpeg")
        return owner_client.post(reverse("diagnosis:upload"), {"image": photo, "body_site": "back", **extra})

    assert post(spot="new", spot_name="Back mole").status_code == 302
    spot = Spot.objects.get()
    assert spot.name == "Back mole" and spot.body_site == "back" and spot.owner == owner
    assert post(spot=str(spot.pk)).status_code == 302
    assert list(spot.checks.values_list("spot", flat=True)) == [spot.pk, spot.pk]


def test_upload_with_a_bad_spot_choice_writes_nothing(
    owner_client: Client, other_patient: Any, media_root: Any, enqueued: Any
) -> None:
    theirs = services.spot_create(owner=other_patient, name="Theirs")
    for extra in ({"spot": str(theirs.pk)}, {"spot": "new", "spot_name": ""}, {"spot": "not-a-uuid"}):
        photo = SimpleUploadedFile("spot.jpg", images.jpeg((400, 300)), content_type="image/jpeg")
        response = owner_client.post(
            reverse("diagnosis:upload"), {"image": photo, **extra}, HTTP_ACCEPT_LANGUAGE="ar"
        )
        assert response.status_code == 400
        assert 'data-testid="spot-error"' in response.content.decode()
    assert not Diagnosis.objects.exists() and Spot.objects.count() == 1
    assert media_files(media_root) == []


def test_a_rejected_photo_into_a_new_spot_leaves_no_spot(
    owner_client: Client, media_root: Any, enqueued: Any
) -> None:
    tiny = SimpleUploadedFile("tiny.jpg", images.jpeg((20, 20)), content_type="image/jpeg")
    response = owner_client.post(
        reverse("diagnosis:upload"), {"image": tiny, "spot": "new", "spot_name": "X"}
    )
    assert response.status_code == 400
    assert not Spot.objects.exists() and not Diagnosis.objects.exists()


def test_the_upload_page_preselects_the_spot_from_the_link(owner_client: Client, spot: Spot) -> None:
    page = owner_client.get(reverse("diagnosis:camera") + f"?spot={spot.pk}").content.decode()
    assert f'<option value="{spot.pk}" selected>' in page


def test_timeline_is_in_time_order_and_marks_a_changed_risk_tier(
    owner: Any, spot: Spot, clinician: Any
) -> None:
    first = _check(owner, spot, "monitor", 90)
    second = _check(owner, spot, "monitor", 30)
    third = _check(owner, spot, "urgent", 1)
    feedback_create(
        diagnosis=second,
        author=clinician,
        verdict="agree",
        diagnosis_code="nv",
        urgency="routine",
        message="Looks stable.",
        private_note="PRIVATE-xyz",
    )
    entries = spot_timeline(spot=spot)
    assert [e.diagnosis.pk for e in entries] == [first.pk, second.pk, third.pk]
    assert [e.tier_changed for e in entries] == [False, False, True]
    assert entries[2].previous_tier == "monitor"
    assert entries[1].feedback is not None and entries[1].feedback.message == "Looks stable."
    assert not hasattr(entries[1].feedback, "private_note")


def test_the_spot_page_shows_photos_feedback_and_the_change_but_never_the_private_note(
    owner_client: Client, owner: Any, spot: Spot, clinician: Any
) -> None:
    _check(owner, spot, "routine", 60)
    later = _check(owner, spot, "urgent", 2)
    feedback_create(
        diagnosis=later,
        author=clinician,
        verdict="agree",
        diagnosis_code="mel",
        urgency="soon",
        message="Please see a dermatologist.",
        private_note="PRIVATE-NOTE-abc",
    )
    page = owner_client.get(spot.get_absolute_url()).content.decode()
    assert page.count('data-testid="timeline-item"') == 2
    assert 'data-testid="tier-changed"' in page and "Please see a dermatologist." in page
    assert "PRIVATE-NOTE-abc" not in page
    arabic = owner_client.get(spot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.content.decode()


def test_reviewer_timeline_shows_only_shared_checks(
    owner: Any, spot: Spot, clinician: Any, content_editor: Any, other_patient: Any
) -> None:
    shared_old = _check(owner, spot, "monitor", 60, review_requested=True)
    _check(owner, spot, "monitor", 30, review_requested=False)  # kept private
    case = _check(owner, spot, "urgent", 1, review_requested=True)
    entries = spot_timeline_for_reviewer(user=clinician, diagnosis=case)
    assert [e.diagnosis.pk for e in entries] == [shared_old.pk, case.pk]
    assert entries[1].tier_changed
    for nobody in (content_editor, other_patient, owner):
        assert spot_timeline_for_reviewer(user=nobody, diagnosis=case) == []
    private = _check(owner, spot, "routine", 0, review_requested=False)
    assert spot_timeline_for_reviewer(user=clinician, diagnosis=private) == []


def test_the_clinician_timeline_include_renders(clinician: Any, owner: Any, spot: Spot) -> None:
    from django.template.loader import render_to_string

    case = _check(owner, spot, "urgent", 1, review_requested=True)
    html = render_to_string(
        "diagnosis/spots/_clinician_timeline.html",
        {"timeline": spot_timeline_for_reviewer(user=clinician, diagnosis=case), "diagnosis": case},
    )
    assert 'data-testid="case-spot-timeline"' in html
    assert reverse("clinician:thumbnail", kwargs={"pk": case.pk}) in html


def test_deleting_a_spot_keeps_its_checks(owner_client: Client, owner: Any, spot: Spot) -> None:
    d = _check(owner, spot, "monitor", 3)
    owner_client.post(reverse("diagnosis:spot_delete", kwargs={"pk": spot.pk}))
    d.refresh_from_db()
    assert d.spot is None and not Spot.objects.exists()


def test_reminder_months_are_calendar_months() -> None:
    jan31 = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    assert services.add_months(jan31, 1) == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    assert services.add_months(jan31, 12) == datetime(2028, 1, 31, 9, 0, tzinfo=UTC)
    assert services.add_months(datetime(2027, 11, 15, tzinfo=UTC), 3) == datetime(2028, 2, 15, tzinfo=UTC)


def test_set_and_cancel_a_reminder_from_the_page(owner_client: Client, spot: Spot) -> None:
    url = reverse("diagnosis:spot_reminder", kwargs={"pk": spot.pk})
    owner_client.post(url, {"months": "6"})
    spot.refresh_from_db()
    assert spot.reminder_months == 6 and spot.reminder_pending
    assert spot.remind_at.date() == services.add_months(timezone.now(), 6).date()
    owner_client.post(url, {"months": "5"})  # not offered: refused, reminder unchanged
    spot.refresh_from_db()
    assert spot.reminder_months == 6
    owner_client.post(url, {"cancel": "1"})
    spot.refresh_from_db()
    assert spot.remind_at is None and not spot.reminder_pending
