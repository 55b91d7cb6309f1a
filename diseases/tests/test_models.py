from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from diseases.models import Disease
from diseases.tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


def test_published_page_missing_arabic_fails_validation():
    disease = DiseaseFactory.build(code="acne", name_ar="", symptoms_ar="  ", published=True)

    with pytest.raises(ValidationError) as excinfo:
        disease.full_clean()

    assert set(excinfo.value.message_dict) == {"name_ar", "symptoms_ar"}


def test_published_page_missing_english_summary_fails_validation():
    disease = DiseaseFactory.build(code="acne", summary_en="", when_to_see_doctor_en="")

    with pytest.raises(ValidationError) as excinfo:
        disease.full_clean()

    assert set(excinfo.value.message_dict) == {"summary_en", "when_to_see_doctor_en"}


def test_draft_page_may_be_incomplete():
    disease = DiseaseFactory.build(code="draft", name_ar="", summary_ar="", symptoms_en="", published=False)

    disease.full_clean()  # no error: only published pages must be complete


def test_optional_sections_are_not_required_for_publishing():
    disease = DiseaseFactory.build(code="acne", causes_ar="", prevention_en="")

    disease.full_clean()


def test_localized_fields_follow_active_language_with_english_fallback():
    disease = DiseaseFactory(name_en="Acne", name_ar="حب الشباب", prevention_ar="")

    with translation.override("ar"):
        assert disease.name == "حب الشباب"
        assert disease.prevention == disease.prevention_en  # empty Arabic falls back
    with translation.override("en"):
        assert disease.name == "Acne"
    assert disease.localized("name", "ar") == "حب الشباب"
    assert disease.localized("name", "fr") == "Acne"


def test_absolute_url_uses_code():
    disease = DiseaseFactory(code="mel")

    assert disease.get_absolute_url() == "/diseases/mel/"


def test_search_matches_both_languages_and_summary():
    acne = DiseaseFactory(code="acne", name_en="Acne", name_ar="حب الشباب", summary_en="Spots.")
    DiseaseFactory(code="warts", name_en="Warts", name_ar="الثآليل", summary_en="Growths.")

    assert list(Disease.objects.search("acn")) == [acne]
    assert list(Disease.objects.search("الشباب")) == [acne]
    assert list(Disease.objects.search("spots")) == [acne]
    assert Disease.objects.search("").count() == 2
