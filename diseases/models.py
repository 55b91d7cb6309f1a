"""Disease library models.

Translated content uses explicit per-language fields (``name_en`` / ``name_ar``,
``summary_en`` / ``summary_ar`` ...) rather than django-modeltranslation or
django-parler. The portal has exactly two fixed languages, so explicit fields keep
things simple and visible: the admin shows both languages side by side, the
"published pages must be complete in both languages" rule is a plain ``clean()``,
queries (search over both names) need no joins, the JSON seed maps one-to-one to
columns, and there is no extra dependency to upgrade. ``LocalizedField`` below
returns the value for the active language with a fallback to English.
"""

from __future__ import annotations

from typing import overload

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = ("en", "ar")
FALLBACK_LANGUAGE = "en"

# Text sections of a disease page, in display order. Each exists as <name>_en and <name>_ar.
SECTION_FIELDS = (
    "summary",
    "symptoms",
    "causes",
    "when_to_see_doctor",
    "diagnosis_treatment",
    "prevention",
)
# Fields that must be filled in both languages before a page can be published.
REQUIRED_WHEN_PUBLISHED = ("name", "summary", "symptoms", "when_to_see_doctor")


def localized_value(obj: object, base: str, language: str | None = None) -> str:
    """Return ``obj.<base>_<language>`` (active language by default), falling back to English."""
    language = (language or translation.get_language() or FALLBACK_LANGUAGE).split("-")[0]
    if language not in LANGUAGE_CODES:
        language = FALLBACK_LANGUAGE
    value = getattr(obj, f"{base}_{language}", "") or ""
    if not value.strip() and language != FALLBACK_LANGUAGE:
        value = getattr(obj, f"{base}_{FALLBACK_LANGUAGE}", "") or ""
    return value


class LocalizedField:
    """Read-only descriptor: ``disease.summary`` -> summary in the active language."""

    def __init__(self, base: str) -> None:
        self.base = base

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> LocalizedField: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> str: ...
    def __get__(self, obj: object, objtype: type | None = None) -> str | LocalizedField:
        if obj is None:
            return self
        return localized_value(obj, self.base)


class Category(models.TextChoices):
    CANCER = "cancer", _("Skin cancer")
    PRECANCEROUS = "precancerous", _("Pre-cancerous")
    BENIGN = "benign", _("Benign growth")
    INFLAMMATORY = "inflammatory", _("Inflammatory")
    INFECTIOUS = "infectious", _("Infectious")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency: seek care now")
    SOON = "soon", _("See a doctor within 2 weeks")
    ROUTINE = "routine", _("Routine: mention it at your next check-up")
    SELFCARE = "selfcare", _("Usually manageable with self-care")


class DiseaseQuerySet(models.QuerySet["Disease"]):
    def published(self) -> DiseaseQuerySet:
        return self.filter(published=True)

    def search(self, query: str) -> DiseaseQuerySet:
        query = (query or "").strip()
        if not query:
            return self
        return self.filter(
            models.Q(name_en__icontains=query)
            | models.Q(name_ar__icontains=query)
            | models.Q(summary_en__icontains=query)
            | models.Q(summary_ar__icontains=query)
            | models.Q(code__icontains=query)
        )


class Disease(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_(
            "Stable identifier used in the page address. The seven model classes use their "
            "HAM10000 codes (akiec, bcc, bkl, df, mel, nv, vasc)."
        ),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    is_model_class = models.BooleanField(
        _("model class"),
        default=False,
        help_text=_("Set for the seven conditions the image model can predict."),
    )

    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ar = models.TextField(_("summary (Arabic)"), blank=True)
    symptoms_en = models.TextField(_("symptoms and appearance (English)"), blank=True)
    symptoms_ar = models.TextField(_("symptoms and appearance (Arabic)"), blank=True)
    causes_en = models.TextField(_("causes and risk factors (English)"), blank=True)
    causes_ar = models.TextField(_("causes and risk factors (Arabic)"), blank=True)
    when_to_see_doctor_en = models.TextField(_("when to see a doctor (English)"), blank=True)
    when_to_see_doctor_ar = models.TextField(_("when to see a doctor (Arabic)"), blank=True)
    diagnosis_treatment_en = models.TextField(_("diagnosis and treatment (English)"), blank=True)
    diagnosis_treatment_ar = models.TextField(_("diagnosis and treatment (Arabic)"), blank=True)
    prevention_en = models.TextField(_("prevention (English)"), blank=True)
    prevention_ar = models.TextField(_("prevention (Arabic)"), blank=True)

    published = models.BooleanField(_("published"), default=False)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DiseaseQuerySet.as_manager()

    name = LocalizedField("name")
    summary = LocalizedField("summary")
    symptoms = LocalizedField("symptoms")
    causes = LocalizedField("causes")
    when_to_see_doctor = LocalizedField("when_to_see_doctor")
    diagnosis_treatment = LocalizedField("diagnosis_treatment")
    prevention = LocalizedField("prevention")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("disease")
        verbose_name_plural = _("diseases")

    def __str__(self) -> str:
        return self.name_en or self.code

    def get_absolute_url(self) -> str:
        return reverse("diseases:detail", kwargs={"slug": self.code})

    def localized(self, base: str, language: str | None = None) -> str:
        """Field ``base`` in ``language`` (default: active language), falling back to English."""
        return localized_value(self, base, language)

    def clean(self) -> None:
        super().clean()
        if not self.published:
            return
        errors = {}
        for base in REQUIRED_WHEN_PUBLISHED:
            for language in LANGUAGE_CODES:
                field = f"{base}_{language}"
                if not (getattr(self, field) or "").strip():
                    errors[field] = ValidationError(
                        _("A published page needs this filled in both Arabic and English."),
                        code="required_when_published",
                    )
        if errors:
            raise ValidationError(errors)


class DiseaseReference(models.Model):
    disease = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="references", verbose_name=_("disease")
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address (URL)"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        return self.title


class DiseaseImage(models.Model):
    disease = models.ForeignKey(
        Disease, on_delete=models.CASCADE, related_name="images", verbose_name=_("disease")
    )
    image = models.ImageField(
        _("image"),
        upload_to="diseases/",
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    alt_en = models.CharField(_("alternative text (English)"), max_length=300)
    alt_ar = models.CharField(_("alternative text (Arabic)"), max_length=300)
    source = models.CharField(
        _("source"), max_length=300, help_text=_("Where the image comes from (author or URL).")
    )
    licence = models.CharField(
        _("licence"), max_length=120, help_text=_("For example CC BY 4.0 or public domain.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    alt = LocalizedField("alt")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_en

    def get_absolute_url(self) -> str:
        return reverse("diseases:image", kwargs={"slug": self.disease.code, "pk": self.pk})
