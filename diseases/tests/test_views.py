from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from diseases.models import Category, Urgency
from diseases.tests.factories import (
    DiseaseFactory,
    DiseaseImageFactory,
    DiseaseReferenceFactory,
)

pytestmark = pytest.mark.django_db


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# --- list --------------------------------------------------------------------


def test_list_is_public_and_grouped_by_category(client):
    DiseaseFactory(code="mel", name_en="Melanoma", category=Category.CANCER)
    DiseaseFactory(code="acne", name_en="Acne", category=Category.INFLAMMATORY)
    DiseaseFactory(code="eczema", name_en="Eczema", category=Category.INFLAMMATORY)

    response = client.get(reverse("diseases:list"))

    assert response.status_code == 200
    groups = [(g.category, [d.code for d in g.diseases]) for g in response.context["groups"]]
    assert groups == [("cancer", ["mel"]), ("inflammatory", ["acne", "eczema"])]
    assert 'href="/diseases/mel/"' in response.content.decode()


def test_list_hides_unpublished_pages(client):
    DiseaseFactory(code="acne", name_en="Acne")
    DiseaseFactory(code="draft", name_en="Secret draft", published=False)

    response = client.get(reverse("diseases:list"))

    assert "Secret draft" not in response.content.decode()


def test_list_search_matches_english_and_arabic_names_and_summary(client):
    DiseaseFactory(code="acne", name_en="Acne", name_ar="حب الشباب", summary_en="Blocked pores.")
    DiseaseFactory(code="warts", name_en="Warts", name_ar="الثآليل", summary_en="Caused by HPV.")

    def codes(q: str) -> list[str]:
        response = client.get(reverse("diseases:list"), {"q": q})
        return [d.code for g in response.context["groups"] for d in g.diseases]

    assert codes("acne") == ["acne"]
    assert codes("الثآليل") == ["warts"]
    assert codes("hpv") == ["warts"]
    assert codes("nothing-like-this") == []
    assert sorted(codes("")) == ["acne", "warts"]


def test_list_search_term_is_escaped(client):
    DiseaseFactory(code="acne")

    response = client.get(reverse("diseases:list"), {"q": "<script>alert(1)</script>"})

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_list_shows_names_in_active_language():
    DiseaseFactory(code="acne", name_en="Acne", name_ar="حب الشباب")

    assert "حب الشباب" in _client("ar").get(reverse("diseases:list")).content.decode()
    assert "Acne" in _client("en").get(reverse("diseases:list")).content.decode()


# --- detail ------------------------------------------------------------------


def test_detail_renders_sections_in_english():
    disease = DiseaseFactory(
        code="psoriasis",
        name_en="Psoriasis",
        summary_en="Scaly **plaques**.",
        urgency=Urgency.SOON,
    )
    DiseaseReferenceFactory(disease=disease, title="NHS: Psoriasis", url="https://www.nhs.uk/p/")

    response = _client("en").get(disease.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Psoriasis" in html
    assert "Scaly <strong>plaques</strong>." in html
    assert "Red, itchy patches." in html  # symptoms section
    assert 'data-urgency="soon"' in html
    assert "See a doctor within 2 weeks" in html
    assert 'href="https://www.nhs.uk/p/"' in html
    assert "not medical advice" in html
    assert 'datetime="2026-11-01"' in html  # last reviewed


def test_detail_renders_sections_in_arabic():
    disease = DiseaseFactory(code="psoriasis", name_ar="الصدفية", summary_ar="لويحات **متقشرة**.")

    response = _client("ar").get(disease.get_absolute_url())

    html = response.content.decode()
    assert "الصدفية" in html
    assert "لويحات <strong>متقشرة</strong>." in html
    assert "بقع حمراء مثيرة للحكة." in html
    assert "Red, itchy patches." not in html


def test_detail_strips_script_from_curated_markdown(client):
    disease = DiseaseFactory(code="acne", summary_en="Hi <script>alert('pwned')</script>")

    html = client.get(disease.get_absolute_url()).content.decode()

    assert "alert('pwned')" not in html


def test_unknown_page_is_404(client):
    assert client.get(reverse("diseases:detail", kwargs={"slug": "nope"})).status_code == 404


def test_unpublished_page_is_404_for_anonymous(client):
    disease = DiseaseFactory(code="draft", published=False)

    assert client.get(disease.get_absolute_url()).status_code == 404


def test_unpublished_page_is_404_for_patient(logged_in, owner):
    disease = DiseaseFactory(code="draft", published=False)

    assert logged_in(owner).get(disease.get_absolute_url()).status_code == 404


def test_unpublished_page_is_404_for_clinician(logged_in, clinician):
    disease = DiseaseFactory(code="draft", published=False)

    assert logged_in(clinician).get(disease.get_absolute_url()).status_code == 404


def test_staff_can_preview_unpublished_page_with_banner(admin_client):
    disease = DiseaseFactory(code="draft", name_en="Draft page", published=False)

    response = admin_client.get(disease.get_absolute_url())

    assert response.status_code == 200
    assert response.context["is_preview"] is True
    assert "this page is not published" in response.content.decode()


def test_content_editors_and_group_admins_can_preview_unpublished_pages(
    logged_in, content_editor, group_admin
):
    disease = DiseaseFactory(code="draft", published=False)

    for user in (content_editor, group_admin):
        response = logged_in(user).get(disease.get_absolute_url())
        assert response.status_code == 200
        assert response.context["is_preview"] is True


def test_unpublished_page_is_404_for_staff_without_a_curator_role(logged_in, plain_staff):
    disease = DiseaseFactory(code="draft", published=False)

    assert logged_in(plain_staff).get(disease.get_absolute_url()).status_code == 404


def test_published_page_has_no_preview_banner_for_staff(admin_client):
    disease = DiseaseFactory(code="acne")

    response = admin_client.get(disease.get_absolute_url())

    assert response.context["is_preview"] is False


# --- images ------------------------------------------------------------------


def test_detail_shows_images_with_alt_text_source_and_licence():
    image = DiseaseImageFactory(disease=DiseaseFactory(code="vasc"))

    html = _client("ar").get(image.disease.get_absolute_url()).content.decode()

    assert f'src="/diseases/vasc/images/{image.pk}/"' in html
    assert 'alt="صورة مقرّبة لبقعة حمراء"' in html
    assert "CC0" in html and "Test fixture" in html


def test_image_of_published_page_is_served_publicly(client):
    image = DiseaseImageFactory(disease=DiseaseFactory(code="vasc"))

    response = client.get(reverse("diseases:image", kwargs={"slug": "vasc", "pk": image.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_image_of_unpublished_page_is_404_for_anonymous_but_staff_can_preview(client, admin_client):
    image = DiseaseImageFactory(disease=DiseaseFactory(code="draft", published=False))
    url = reverse("diseases:image", kwargs={"slug": "draft", "pk": image.pk})

    assert client.get(url).status_code == 404
    assert admin_client.get(url).status_code == 200


def test_image_must_belong_to_the_page_in_the_url(client):
    image = DiseaseImageFactory(disease=DiseaseFactory(code="draft", published=False))
    DiseaseFactory(code="acne")

    url = reverse("diseases:image", kwargs={"slug": "acne", "pk": image.pk})

    assert client.get(url).status_code == 404


def test_image_is_handed_to_nginx_when_sendfile_is_on(client, settings):
    settings.SENDFILE_NGINX = True
    image = DiseaseImageFactory(disease=DiseaseFactory(code="vasc"))

    response = client.get(reverse("diseases:image", kwargs={"slug": "vasc", "pk": image.pk}))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{image.image.name}"
    assert response["Content-Type"] == "image/png"
