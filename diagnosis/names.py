"""The one place a lesion type gets its display name: the model's seven classes (short,
translated, patient-facing) and, for a clinician's diagnosis code, the disease library's
name in the active language, falling back to the class name."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diseases.models import Disease

OTHER_CODE = "other"  # a clinician's diagnosis outside the library, described in words

# HAM10000 class codes, in the model's order, with short patient-facing names.
CLASS_NAMES = {
    "akiec": gettext_lazy("Actinic keratosis / Bowen's disease"),
    "bcc": gettext_lazy("Basal cell carcinoma"),
    "bkl": gettext_lazy("Benign keratosis"),
    "df": gettext_lazy("Dermatofibroma"),
    "mel": gettext_lazy("Melanoma"),
    "nv": gettext_lazy("Mole (melanocytic nevus)"),
    "vasc": gettext_lazy("Vascular lesion"),
}


def class_name(code: str) -> str:
    """Patient-facing (translated) name for a model class code."""
    return str(CLASS_NAMES.get(code, code))


def disease_label(code: str, other: str = "") -> str:
    """Display name (active language) for a clinician's diagnosis code."""
    if not code:
        return ""
    if code == OTHER_CODE:
        return other or _("Other")
    disease = Disease.objects.filter(code=code).first()
    if disease is not None:
        return disease.name
    return class_name(code)
