"""Spots in Chromium: create a spot, add two checks (real worker, shipped model), see the timeline;
set a reminder, receive it (real SMTP catch-all, the beat task run here) and follow its link.

Run: flock /tmp/jildi-heavy.lock .venv/bin/pytest -m browser diagnosis/tests/test_spots_browser.py
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnosis.models import Diagnosis, Spot
from diagnosis.tests import images
from diagnosis.tests.factories import DiagnosisFactory
from diagnosis.tests.support import login
from portal.testing import message_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULT_TIMEOUT_MS = 45_000


@pytest.fixture
def lesion_file() -> Path:
    path = images.lesion_image_path()
    if path is None:
        pytest.skip("HAM10000 validation images not present (../shared/data/ham10000/val)")
    return path


def _wait_done(page: Any) -> None:
    page.wait_for_selector("[data-testid=diagnosis-result][data-status=done]", timeout=RESULT_TIMEOUT_MS)


def _no_page_overflow(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.integration
@pytest.mark.usefixtures("shipped_model")
def test_create_a_spot_add_two_checks_and_see_the_timeline(
    live_server: Any, browser_page: Any, owner: Any, password: str, lesion_file: Path, celery_worker_proc: Any
) -> None:
    page = browser_page
    login(page, live_server, owner, password)
    page.click("[data-testid=nav-spots]")
    page.fill("#id_name", "Mole on left shoulder")
    page.select_option("#id_body_site", "back")
    page.click("[data-testid=spot-create]")
    page.wait_for_selector("[data-testid=timeline-empty]")
    spot = Spot.objects.get()

    # First check: from the spot page, the upload page has the spot chosen already.
    page.goto(f"{live_server.url}{reverse('diagnosis:upload')}?spot={spot.pk}")
    assert page.locator("[data-testid=spot-select]").input_value() == str(spot.pk)
    page.set_input_files("[data-testid=image-input]", str(lesion_file))
    page.click("[data-testid=upload-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    _wait_done(page)

    # Second check: uploaded without a spot, added to it afterwards from the result page.
    page.goto(f"{live_server.url}{reverse('diagnosis:upload')}")
    page.set_input_files("[data-testid=image-input]", str(lesion_file))
    page.click("[data-testid=upload-submit]")
    page.wait_for_url("**/diagnosis/*-*-*-*-*/")
    _wait_done(page)
    page.select_option("[data-testid=attach-select]", str(spot.pk))
    page.click("[data-testid=attach-submit]")
    page.wait_for_selector("[data-testid=spot-link]")
    assert Diagnosis.objects.filter(spot=spot, status=Diagnosis.Status.DONE).count() == 2, (
        celery_worker_proc.log()
    )

    page.click("[data-testid=spot-link]")
    items = page.locator("[data-testid=timeline-item]")
    assert items.count() == 2
    boxes = [items.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[0]["x"] < boxes[1]["x"]  # side by side, LTR
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jd-timeline-photo')].every(i => i.naturalWidth > 0)"
    )

    # The same page in Arabic on a 360 px phone, dark theme: right to left, nothing overflows.
    owner.preferred_language, owner.preferred_theme = "ar", "dark"
    owner.save(update_fields=["preferred_language", "preferred_theme"])
    phone = page.context.browser.new_context(viewport={"width": 360, "height": 780}, locale="ar")
    phone_page = phone.new_page()
    try:
        login(phone_page, live_server, owner, password)
        phone_page.goto(f"{live_server.url}{spot.get_absolute_url()}")
        assert phone_page.locator("html").get_attribute("dir") == "rtl"
        assert phone_page.locator("html").get_attribute("data-bs-theme") == "dark"
        assert phone_page.locator("h2").first.inner_text() == "الصور مع الوقت"
        arabic_items = phone_page.locator("[data-testid=timeline-item]")
        first, second = arabic_items.nth(0).bounding_box(), arabic_items.nth(1).bounding_box()
        assert first["x"] > second["x"]  # oldest first, starting from the right
        assert _no_page_overflow(phone_page)
    finally:
        phone.close()


def test_set_a_reminder_receive_it_and_follow_its_link(
    live_server: Any, browser_page: Any, owner: Any, password: str, smtp_catchall: Any
) -> None:
    from diagnosis.spots.tasks import send_notifications

    spot = Spot.objects.create(owner=owner, name="Freckle on cheek", body_site="face")
    DiagnosisFactory(owner=owner, spot=spot)
    page = browser_page
    login(page, live_server, owner, password)
    page.goto(f"{live_server.url}{spot.get_absolute_url()}")
    page.select_option("#id_months", "1")
    page.click("[data-testid=reminder-set]")
    page.wait_for_selector("[data-testid=reminder-status]")
    spot.refresh_from_db()
    assert spot.reminder_months == 1 and spot.remind_at > timezone.now() + timedelta(days=27)

    # A month later: the beat task sends it once.
    Spot.objects.filter(pk=spot.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    assert send_notifications.apply().get() == {"reminders": 1, "result_emails": 0}
    assert send_notifications.apply().get()["reminders"] == 0
    (message,) = smtp_catchall.wait_for(to=owner.email)
    body = message_text(message)
    assert "Freckle" not in body and "cheek" not in body
    link = next(line for line in body.splitlines() if "/diagnosis/camera/?spot=" in line).strip()
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert page.locator("[data-testid=spot-select]").input_value() == str(spot.pk)

    # Set again, then cancel: nothing is sent.
    page.goto(f"{live_server.url}{spot.get_absolute_url()}")
    page.select_option("#id_months", "3")
    page.click("[data-testid=reminder-set]")
    page.click("[data-testid=reminder-cancel]")
    page.wait_for_selector("[data-testid=reminder-set]")
    spot.refresh_from_db()
    assert spot.remind_at is None
    assert send_notifications.apply().get()["reminders"] == 0
    assert len(smtp_catchall.messages) == 1
