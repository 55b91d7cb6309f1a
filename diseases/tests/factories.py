from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from diseases.models import Category, Disease, DiseaseImage, DiseaseReference, Urgency


class DiseaseFactory(DjangoModelFactory):
    """A complete, published page in both languages."""

    class Meta:
        model = Disease
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"condition-{n}")
    name_en = factory.Sequence(lambda n: f"Condition {n}")
    name_ar = factory.Sequence(lambda n: f"الحالة {n}")
    category = Category.INFLAMMATORY
    urgency = Urgency.ROUTINE
    summary_en = "A common skin condition."
    summary_ar = "حالة جلدية شائعة."
    symptoms_en = "Red, itchy patches."
    symptoms_ar = "بقع حمراء مثيرة للحكة."
    causes_en = "Genes and environment."
    causes_ar = "الوراثة والبيئة."
    when_to_see_doctor_en = "If it does not improve within two weeks."
    when_to_see_doctor_ar = "إذا لم تتحسن خلال أسبوعين."
    diagnosis_treatment_en = "Moisturisers and creams."
    diagnosis_treatment_ar = "المرطبات والكريمات."
    prevention_en = "Avoid triggers."
    prevention_ar = "تجنّب المحفزات."
    published = True
    last_reviewed = datetime.date(2026, 11, 1)


class DiseaseReferenceFactory(DjangoModelFactory):
    class Meta:
        model = DiseaseReference

    disease = factory.SubFactory(DiseaseFactory)
    title = factory.Sequence(lambda n: f"Reference {n}")
    url = factory.Sequence(lambda n: f"https://www.nhs.uk/conditions/example-{n}/")
    order = factory.Sequence(lambda n: n)


class DiseaseImageFactory(DjangoModelFactory):
    class Meta:
        model = DiseaseImage

    disease = factory.SubFactory(DiseaseFactory)
    image = factory.django.ImageField(filename="example.png", format="PNG", width=8, height=8)
    alt_en = "Close-up of a red patch"
    alt_ar = "صورة مقرّبة لبقعة حمراء"
    source = "Test fixture"
    licence = "CC0"
    order = 0
