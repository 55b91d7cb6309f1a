"""How far to trust a result: which kind of photo the model took it for, the model's own measured
reliability on that kind of photo, whether answering the questions helped, and why a photo was
rejected. Plain sentences for the result page and the same facts for the API.

The figures come from the model's metadata (``reliability``), copied onto the diagnosis by the
worker together with the result, so a page always describes the model that produced it. Models
without a domain head or without reliability figures are handled: the page says less, never
something invented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DOMAINS = ("dermoscopy", "phone")
# Answering "helped" only when the measured balanced accuracy rises by at least this much and
# the share of malignant lesions sent to "urgent" does not fall.
HELPED_MIN_GAIN = 0.01

NOT_SINGLE_SPOT = "not_single_spot"
PHOTO_QUALITY = "photo_quality"
DAMAGED_FILE = "damaged_file"  # the worker could not decode the uploaded file


@dataclass(frozen=True)
class Measure:
    urgent_sensitivity: float
    urgent_specificity: float
    balanced_accuracy: float


@dataclass(frozen=True)
class Reliability:
    images: int
    malignant: int
    without_answers: Measure
    with_answers: Measure | None


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None


def _measure(data: Any) -> Measure | None:
    if not isinstance(data, dict):
        return None
    values = [
        _fraction(data.get(k)) for k in ("urgent_sensitivity", "urgent_specificity", "balanced_accuracy")
    ]
    if any(v is None for v in values):
        return None
    return Measure(*values)  # type: ignore[arg-type]


def _count(value: object) -> int | None:
    """An image count: an int (a bool is not one), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_reliability(data: Any) -> Reliability | None:
    """One domain's entry of the model's ``reliability`` metadata, or None if unusable."""
    if not isinstance(data, dict):
        return None
    images, malignant = _count(data.get("images")), _count(data.get("malignant"))
    if images is None or malignant is None:
        return None
    if images <= 0 or not 0 <= malignant <= images:
        return None
    without = _measure(data.get("without_answers"))
    if without is None:
        return None
    return Reliability(images, malignant, without, _measure(data.get("with_answers")))


def reliability_of(diagnosis: Any) -> Reliability | None:
    if diagnosis.domain not in DOMAINS:
        return None
    return parse_reliability(diagnosis.reliability)


def answers_helped(reliability: Reliability) -> bool | None:
    """Did answering help on this kind of photo, by the model's own measurement? None = not measured."""
    with_answers, without = reliability.with_answers, reliability.without_answers
    if with_answers is None:
        return None
    return (
        with_answers.balanced_accuracy - without.balanced_accuracy >= HELPED_MIN_GAIN
        and with_answers.urgent_sensitivity >= without.urgent_sensitivity
    )


def _pct(value: float) -> int:
    return round(value * 100)


def domain_sentence(diagnosis: Any) -> str:
    percent = _pct(diagnosis.domain_probability or 0.0)
    if diagnosis.domain == "phone":
        return _("The model took this for an ordinary phone photo (%(percent)s%% sure).") % {
            "percent": percent
        }
    if diagnosis.domain == "dermoscopy":
        return _(
            "The model took this for a dermatoscope image, a close-up taken through a skin magnifier "
            "(%(percent)s%% sure)."
        ) % {"percent": percent}
    return _("This version of the model does not say which kind of photo it took this for.")


def reliability_sentence(diagnosis: Any, reliability: Reliability) -> str:
    """One plain sentence: how often the model sent malignant lesions to "urgent" on this kind of photo."""
    measure = reliability.without_answers
    if diagnosis.answers_used and reliability.with_answers is not None:
        measure = reliability.with_answers
    values = {
        "images": reliability.images,
        "malignant": reliability.malignant,
        "sensitivity": _pct(measure.urgent_sensitivity),
        "others": _pct(1.0 - measure.urgent_specificity),
    }
    if diagnosis.domain == "phone":
        text = ngettext(
            "Tested on %(images)s phone photo it had not learned from (%(malignant)s of them cancerous or "
            "precancerous), the model sent %(sensitivity)s%% of the cancerous or precancerous spots to "
            "“urgent”, and also %(others)s%% of the other spots.",
            "Tested on %(images)s phone photos it had not learned from (%(malignant)s of them cancerous or "
            "precancerous), the model sent %(sensitivity)s%% of the cancerous or precancerous spots to "
            "“urgent”, and also %(others)s%% of the other spots.",
            reliability.images,
        )
    else:
        text = ngettext(
            "Tested on %(images)s dermatoscope image it had not learned from (%(malignant)s of them "
            "cancerous or precancerous), the model sent %(sensitivity)s%% of the cancerous or precancerous "
            "spots to “urgent”, and also %(others)s%% of the other spots.",
            "Tested on %(images)s dermatoscope images it had not learned from (%(malignant)s of them "
            "cancerous or precancerous), the model sent %(sensitivity)s%% of the cancerous or precancerous "
            "spots to “urgent”, and also %(others)s%% of the other spots.",
            reliability.images,
        )
    return text % values


def answers_sentence(diagnosis: Any, reliability: Reliability | None) -> str:
    """Whether the patient's answers were used and whether answering helps on this kind of photo."""
    gave, used = bool(diagnosis.answers), bool(diagnosis.answers_used)
    if gave and not used:  # the predictor reports no answers used only when it has no answers input
        return _(
            "This version of the model does not use your answers; they are kept with your photo for a "
            "clinician."
        )
    if reliability is None:
        return _("Your answers were used by the model.") if used else ""
    helped = answers_helped(reliability)
    if helped is None or reliability.with_answers is None:
        return _("Whether answering the questions helps has not been measured for this kind of photo.")
    # The figure the "helped" decision is made on: how often the type of spot was named correctly,
    # averaged over the types (balanced accuracy).
    values = {
        "with": _pct(reliability.with_answers.balanced_accuracy),
        "without": _pct(reliability.without_answers.balanced_accuracy),
    }
    if used and helped:
        return (
            _(
                "Your answers were used: on this kind of photo they helped (the type of spot was named "
                "correctly %(with)s%% of the time with answers, %(without)s%% without, averaged over "
                "the types)."
            )
            % values
        )
    if used:
        return (
            _(
                "Your answers were used, but on this kind of photo they did not measurably improve the "
                "result (the type of spot was named correctly %(with)s%% of the time with answers, "
                "%(without)s%% without)."
            )
            % values
        )
    if helped:
        return (
            _(
                "Answering the questions would probably have helped: on this kind of photo the type of "
                "spot was named correctly %(with)s%% of the time with answers, %(without)s%% without "
                "(averaged over the types)."
            )
            % values
        )
    return (
        _(
            "On this kind of photo, answering the questions did not measurably improve the result "
            "(the type of spot was named correctly %(with)s%% of the time with answers, "
            "%(without)s%% without)."
        )
        % values
    )


@dataclass(frozen=True)
class Trust:
    domain: str
    domain_sentence: str
    reliability_sentence: str
    answers_sentence: str


def trust_for(diagnosis: Any) -> Trust:
    reliability = reliability_of(diagnosis)
    return Trust(
        domain=diagnosis.domain if diagnosis.domain in DOMAINS else "",
        domain_sentence=domain_sentence(diagnosis),
        reliability_sentence=reliability_sentence(diagnosis, reliability) if reliability else "",
        answers_sentence=answers_sentence(diagnosis, reliability),
    )


def reliability_data(diagnosis: Any) -> dict[str, Any] | None:
    """The figures for the API (the same ones the result page states), or None."""
    reliability = reliability_of(diagnosis)
    if reliability is None:
        return None

    def measure(m: Measure | None) -> dict[str, float] | None:
        return None if m is None else dict(m.__dict__)

    return {
        "images": reliability.images,
        "malignant": reliability.malignant,
        "without_answers": measure(reliability.without_answers),
        "with_answers": measure(reliability.with_answers),
        "answers_helped": answers_helped(reliability),
    }


# --- rejected photos ------------------------------------------------------------------------


def rejection_kind(ood_reason: str) -> str:
    """ "not_lesion" -> does not look like a single spot; "damaged" -> the file could not be decoded;
    any other code -> a photo-quality problem;
    "" (rows from before reasons were stored) -> unknown."""
    if not ood_reason:
        return ""
    if ood_reason == "damaged":
        return DAMAGED_FILE
    return NOT_SINGLE_SPOT if ood_reason == "not_lesion" else PHOTO_QUALITY


def quality_detail(ood_reason: str) -> str:
    """What was wrong with the photo, in plain words (codes from the model's quality check)."""
    details = {
        "blurry": _("The photo looks blurred or out of focus."),
        "too_dark": _("The photo is too dark."),
        "too_bright": _("The photo is too bright (overexposed, or glare from a flash or a lamp)."),
        "no_detail": _(
            "The photo shows almost no detail: it may be out of focus, taken from too far away, or the "
            "lens may have been covered."
        ),
        "noise": _("The photo is very grainy, as happens in poor light."),
    }
    return details.get(ood_reason, "")
