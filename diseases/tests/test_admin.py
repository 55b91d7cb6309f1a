from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from diseases.models import Disease
from diseases.services import CONTENT_EDITOR_GROUP
from diseases.tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


def _change_form_data(disease: Disease, **overrides) -> dict:
    data = {
        "name_en": disease.name_en,
        "name_ar": disease.name_ar,
        "category": disease.category,
        "urgency": disease.urgency,
        "summary_en": disease.summary_en,
        "summary_ar": disease.summary_ar,
        "symptoms_en": disease.symptoms_en,
        "symptoms_ar": disease.symptoms_ar,
        "causes_en": disease.causes_en,
        "causes_ar": disease.causes_ar,
        "when_to_see_doctor_en": disease.when_to_see_doctor_en,
        "when_to_see_doctor_ar": disease.when_to_see_doctor_ar,
        "diagnosis_treatment_en": disease.diagnosis_treatment_en,
        "diagnosis_treatment_ar": disease.diagnosis_treatment_ar,
        "prevention_en": disease.prevention_en,
        "prevention_ar": disease.prevention_ar,
        "published": "on" if disease.published else "",
        "last_reviewed": "2026-11-20",
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_admin_refuses_to_publish_page_without_arabic_summary(admin_client):
    disease = DiseaseFactory(code="acne")
    url = reverse("admin:diseases_disease_change", args=[disease.pk])

    response = admin_client.post(url, _change_form_data(disease, summary_ar="", summary_en="New"))

    assert response.status_code == 200  # form redisplayed with errors
    assert "summary_ar" in response.context["adminform"].form.errors
    disease.refresh_from_db()
    assert disease.summary_en == "A common skin condition."


def test_admin_saves_a_complete_page_and_keeps_code_stable(admin_client):
    disease = DiseaseFactory(code="acne")
    url = reverse("admin:diseases_disease_change", args=[disease.pk])

    response = admin_client.post(url, _change_form_data(disease, summary_en="Updated", code="hacked-code"))

    assert response.status_code == 302
    disease.refresh_from_db()
    assert disease.summary_en == "Updated"
    assert disease.code == "acne"  # read-only once created


def test_admin_add_form_prepopulates_code_from_english_name(admin_client):
    response = admin_client.get(reverse("admin:diseases_disease_add"))

    assert response.status_code == 200
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(p["field"].name, [d.name for d in p["dependencies"]]) for p in prepopulated] == [
        ("code", ["name_en"])
    ]


def test_admin_change_page_marks_arabic_fields_rtl_and_links_to_site(admin_client):
    disease = DiseaseFactory(code="acne", published=False)

    response = admin_client.get(reverse("admin:diseases_disease_change", args=[disease.pk]))

    html = response.content.decode()
    assert 'dir="rtl"' in html and 'name="summary_ar"' in html
    assert response.context["has_absolute_url"] is True


def test_admin_changelist_searches_arabic_names(admin_client):
    DiseaseFactory(code="acne", name_en="Acne", name_ar="حب الشباب")
    DiseaseFactory(code="warts", name_en="Warts", name_ar="الثآليل")

    response = admin_client.get(reverse("admin:diseases_disease_changelist"), {"q": "الثآليل"})

    assert [d.code for d in response.context["cl"].result_list] == ["warts"]


def test_content_editor_group_has_only_disease_permissions():
    group = Group.objects.get(name=CONTENT_EDITOR_GROUP)

    codenames = set(group.permissions.values_list("codename", flat=True))
    apps = set(group.permissions.values_list("content_type__app_label", flat=True))

    assert apps == {"diseases"}
    assert codenames == {
        f"{action}_{model}"
        for model in ("disease", "diseasereference", "diseaseimage")
        for action in ("add", "change", "view")
    }


def test_content_editor_can_edit_disease_pages(content_editor_client):
    disease = DiseaseFactory(code="acne")

    assert content_editor_client.get(reverse("admin:index")).status_code == 200
    assert content_editor_client.get(reverse("admin:diseases_disease_changelist")).status_code == 200
    assert content_editor_client.get(reverse("admin:diseases_disease_add")).status_code == 200
    response = content_editor_client.post(
        reverse("admin:diseases_disease_change", args=[disease.pk]),
        _change_form_data(disease, summary_en="Edited by the editor"),
    )
    assert response.status_code == 302
    disease.refresh_from_db()
    assert disease.summary_en == "Edited by the editor"


def test_content_editor_cannot_delete_disease_pages(content_editor_client):
    disease = DiseaseFactory(code="acne")

    response = content_editor_client.get(reverse("admin:diseases_disease_delete", args=[disease.pk]))

    assert response.status_code == 403


def test_content_editor_gets_403_on_user_admin(content_editor_client, owner):
    assert content_editor_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    url = reverse("admin:accounts_user_change", args=[owner.pk])
    assert content_editor_client.get(url).status_code == 403


def test_content_editor_gets_403_on_every_non_disease_admin(content_editor_client):
    other_models = [m for m in admin.site._registry if m._meta.app_label != "diseases"]
    labels = {m._meta.app_label for m in other_models}
    assert {"accounts", "auth", "diagnosis"} <= labels  # users, groups, diagnoses ...

    for model in other_models:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert content_editor_client.get(url).status_code == 403, url


def test_content_editor_admin_index_lists_only_the_disease_library(content_editor_client):
    response = content_editor_client.get(reverse("admin:index"))

    app_labels = {app["app_label"] for app in response.context["app_list"]}
    assert app_labels == {"diseases"}


def test_plain_staff_gets_403_on_every_admin_page(plain_staff_client):
    """is_staff alone opens the admin's door and nothing behind it."""
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert plain_staff_client.get(url).status_code == 403, url
    assert plain_staff_client.get(reverse("admin:index")).context["app_list"] == []


def test_group_admin_curates_the_library_and_opens_every_admin(group_admin_client):
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert group_admin_client.get(url).status_code == 200, url


def test_patient_cannot_open_disease_admin(logged_in, owner):
    response = logged_in(owner).get(reverse("admin:diseases_disease_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_content_editor_uploads_an_image_that_is_served_on_the_public_page(content_editor_client, client):
    disease = DiseaseFactory(code="vasc")
    data = _change_form_data(
        disease,
        **{
            "images-TOTAL_FORMS": "1",
            "images-0-alt_en": "A red spot",
            "images-0-alt_ar": "بقعة حمراء",
            "images-0-source": "Our clinic",
            "images-0-licence": "CC BY 4.0",
            "images-0-order": "0",
        },
    )
    data["images-0-image"] = SimpleUploadedFile("spot.png", _png_bytes(), "image/png")

    response = content_editor_client.post(reverse("admin:diseases_disease_change", args=[disease.pk]), data)

    assert response.status_code == 302
    image = disease.images.get()
    assert image.image.name.startswith("diseases/")
    served = client.get(reverse("diseases:image", kwargs={"slug": "vasc", "pk": image.pk}))
    assert served.status_code == 200
    assert 'alt="A red spot"' in client.get(disease.get_absolute_url()).content.decode()


def test_admin_rejects_a_non_image_upload(admin_client):
    disease = DiseaseFactory(code="vasc")
    data = _change_form_data(
        disease,
        **{
            "images-TOTAL_FORMS": "1",
            "images-0-alt_en": "x",
            "images-0-alt_ar": "س",
            "images-0-source": "x",
            "images-0-licence": "x",
            "images-0-order": "0",
        },
    )
    data["images-0-image"] = SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", "image/png")

    response = admin_client.post(reverse("admin:diseases_disease_change", args=[disease.pk]), data)

    assert response.status_code == 200
    assert not disease.images.exists()
