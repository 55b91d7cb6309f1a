from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_anonymous_home_is_the_landing_page(client):
    body = client.get(reverse("home")).content.decode()
    assert "Create a free account" in body
    assert "screening support, not a diagnosis" in body


def test_signed_in_home_is_the_dashboard(owner_client):
    body = owner_client.get(reverse("home")).content.decode()
    assert "Welcome, Olivia Owner" in body
    assert reverse("accounts:profile") in body


def test_landing_page_in_arabic_is_right_to_left(client):
    client.cookies["django_language"] = "ar"
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="ar" dir="rtl"' in body
    assert "فحوصات جلدية واضحة ومفهومة" in body
    assert "bootstrap.rtl.min.css" in body


def test_health_reports_database(client):
    assert client.get(reverse("health")).json() == {"status": "ok", "database": True}


def test_admin_works_in_arabic_right_to_left(staff_client):
    staff_client.cookies["django_language"] = "ar"
    response = staff_client.get("/admin/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in body
    assert "إدارة جلدي" in body
    users = staff_client.get("/admin/accounts/user/")
    assert users.status_code == 200


def test_head_sets_theme_before_paint(client):
    """The inline theme script must come before any stylesheet to avoid a flash."""
    body = client.get(reverse("home")).content.decode()
    head = body.split("</head>")[0]
    assert head.index("data-bs-theme") < head.index('<link rel="stylesheet"')
    assert "localStorage" in head and "prefers-color-scheme" in head


def test_no_template_loads_assets_from_a_cdn():
    pattern = re.compile(r"""(src|href)=["']https?://""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_vendored_front_end_files_exist():
    for relative in (
        "static/vendor/bootstrap/css/bootstrap.min.css",
        "static/vendor/bootstrap/css/bootstrap.rtl.min.css",
        "static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "static/vendor/htmx/htmx.min.js",
        "static/vendor/noto-sans-arabic/400.css",
    ):
        assert (ROOT / relative).stat().st_size > 1000, relative


def test_arabic_date_times_use_arabic_order():
    from datetime import datetime

    from django.utils import formats, translation

    with translation.override("ar"):
        text = formats.date_format(datetime(2026, 11, 25, 19, 48), "DATETIME_FORMAT")
    assert text.startswith("25 نوفمبر 2026")
