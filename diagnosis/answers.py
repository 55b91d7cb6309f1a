"""The patient's answers about a spot: how long it has been there, six yes/no questions, and
what the profile adds (age, sex, skin type). All optional; nothing here is ever required.

The answers are stored on the diagnosis exactly as given at upload time (a later profile edit
does not rewrite an earlier check) in the shape of ``ml.answers.Answers.to_dict()``, which is
what the worker hands to the model. ``ml.answers`` needs numpy only, so the web process may
import it (it never imports ``ml.predictor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts.models import User
from ml.answers import HISTORY, Answers

# The six yes/no questions, in the order they are asked: (Answers field, question, short label).
QUESTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("itches", _("Does it itch?"), _("Itches")),
    ("grew", _("Has it grown?"), _("Has grown")),
    ("hurts", _("Does it hurt?"), _("Hurts")),
    ("changed", _("Has it changed colour or shape?"), _("Has changed colour or shape")),
    ("bleeds", _("Does it bleed?"), _("Bleeds")),
    ("raised", _("Is it raised above the skin around it?"), _("Raised")),
)
assert tuple(name for name, _q, _l in QUESTIONS) == HISTORY  # one list of questions, ml's order

DURATION_CHOICES: tuple[tuple[str, Any], ...] = (
    ("weeks", _("Less than a month")),
    ("months", _("1 to 12 months")),
    ("years", _("More than a year")),
    ("always", _("As long as I can remember")),
)
DURATIONS = tuple(code for code, _label in DURATION_CHOICES)

YES, NO = "yes", "no"
# Radio choices on the site; "" (not sure / skip) is the default and means "not answered".
YES_NO_CHOICES = (
    (YES, pgettext_lazy("answer", "Yes")),
    (NO, pgettext_lazy("answer", "No")),
    ("", pgettext_lazy("answer", "Not sure")),
)

# Retraining export and agreement CSV: one column per answer, then the model's view of the photo.
EXPORT_COLUMNS: tuple[str, ...] = (
    "answer_age",
    "answer_sex",
    "answer_fitzpatrick",
    "answer_body_site",
    "answer_duration",
    *(f"answer_{name}" for name in HISTORY),
    "answers_used",
    "photo_domain",
    "photo_domain_probability",
    "framed",
)


def yes_no(value: str | bool | None) -> bool | None:
    """ "yes"/"no"/"" (or a bool/None) -> True/False/None."""
    if value is None or isinstance(value, bool):
        return value
    return {YES: True, NO: False}.get(str(value).strip().lower())


def age_from_birth_year(birth_year: int | None, *, today_year: int | None = None) -> int | None:
    """Age in whole years from the year of birth (within a year: the birthday is not known)."""
    if not birth_year:
        return None
    age = (today_year or timezone.now().year) - int(birth_year)
    return age if 0 <= age <= 120 else None


def answers_snapshot(*, owner: Any, body_site: str = "", given: Mapping[str, Any] | None = None) -> dict:
    """The answers as given now: the profile (age, sex, skin type), the body site, how long the
    spot has been there and the six questions; unanswered ones are left out.

    ``given`` holds ``duration`` (a code or "") and the six questions (bool or None).
    Raises ValueError for a value ``ml.answers.Answers`` does not accept.
    """
    given = given or {}
    duration = given.get("duration") or None
    if duration is not None and duration not in DURATIONS:
        raise ValueError(f"unknown duration {duration!r}")
    answers = Answers(
        age=age_from_birth_year(getattr(owner, "birth_year", None)),
        sex=getattr(owner, "sex", "") or None,
        body_site=body_site or None,
        fitzpatrick=getattr(owner, "fitzpatrick", None) or None,
        duration=duration,
        **{name: yes_no(given.get(name)) for name in HISTORY},
    )
    return answers.to_dict()


def model_answers(stored: Mapping[str, Any] | None) -> Answers:
    """Stored answers -> ``ml.answers.Answers`` for the predictor (unknown keys ignored)."""
    try:
        return Answers.from_dict(dict(stored or {}))
    except (TypeError, ValueError):  # an old or hand-edited row: the image alone still works
        return Answers()


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value))


def answer_rows(
    stored: Mapping[str, Any] | None, *, include_unanswered: bool = False
) -> list[dict[str, str]]:
    """Stored answers -> [{"key", "label", "value"}] for templates, in the order asked."""
    stored = stored or {}
    rows: list[dict[str, str]] = []

    def add(key: str, label: Any, value: str | None) -> None:
        if value is not None or include_unanswered:
            rows.append({"key": key, "label": str(label), "value": value if value is not None else "—"})

    age = stored.get("age")
    years = ngettext("%(age)s year", "%(age)s years", age) % {"age": age} if age is not None else None
    add("age", _("Age"), years)
    sex = stored.get("sex")
    add("sex", _("Sex"), _label(User.Sex.choices, sex) if sex else None)
    skin = stored.get("fitzpatrick")
    add("fitzpatrick", _("Skin type"), _label(User.SkinType.choices, skin) if skin else None)
    duration = stored.get("duration")
    add("duration", _("How long it has been there"), _label(DURATION_CHOICES, duration) if duration else None)
    for name, _question, label in QUESTIONS:
        value = stored.get(name)
        text = None if value is None else _label(YES_NO_CHOICES, YES if value else NO)
        add(name, label, text)
    return rows


def profile_rows(user: Any) -> list[dict[str, str]]:
    """What the profile would add to a check now (age, sex, skin type), for the upload pages."""
    return answer_rows(answers_snapshot(owner=user)) if getattr(user, "is_authenticated", False) else []


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def export_cells(diagnosis: Any) -> list[str]:
    """The EXPORT_COLUMNS values of one diagnosis (CSV-ready strings; "" = not answered)."""
    stored = diagnosis.answers or {}
    probability = diagnosis.domain_probability
    return [
        *(_cell(stored.get(key)) for key in ("age", "sex", "fitzpatrick", "body_site", "duration")),
        *(_cell(stored.get(name)) for name in HISTORY),
        " ".join(diagnosis.answers_used or []),
        diagnosis.domain,
        f"{float(probability):.4f}" if probability is not None else "",
        YES if diagnosis.crop_box else NO,
    ]
