"""What the patient tells us about a spot, as an optional model input (numpy only).

Every field may be unknown (``None``); unknown is encoded as all-zero features, so a patient who
answers nothing gets the image-only prediction (the fused head was trained with answers dropped at
random, see ``ml.export``). The same encoding reads HAM10000's and PAD-UFES-20's metadata.csv.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

# The product's body-site codes (HAM10000 ``localization`` values), "unknown" excluded.
BODY_SITES: tuple[str, ...] = (
    "abdomen", "acral", "back", "chest", "ear", "face", "foot", "genital", "hand",
    "lower extremity", "neck", "scalp", "trunk", "upper extremity",
)  # fmt: skip
# PAD-UFES-20 ``region`` -> product body site.
PAD_REGIONS: dict[str, str] = {
    "FACE": "face", "NOSE": "face", "LIP": "face", "EAR": "ear", "SCALP": "scalp", "NECK": "neck",
    "CHEST": "chest", "BACK": "back", "ABDOMEN": "abdomen", "ARM": "upper extremity",
    "FOREARM": "upper extremity", "HAND": "hand", "THIGH": "lower extremity", "FOOT": "foot",
}  # fmt: skip
HISTORY: tuple[str, ...] = ("itches", "grew", "hurts", "changed", "bleeds", "raised")
# PAD-UFES-20 column for each history answer.
PAD_HISTORY: dict[str, str] = {
    "itches": "itch", "grew": "grew", "hurts": "hurt", "changed": "changed", "bleeds": "bleed",
    "raised": "elevation",
}  # fmt: skip
GROUPS: tuple[str, ...] = ("age", "sex", "body_site", "fitzpatrick", *HISTORY)


@dataclass(frozen=True)
class Answers:
    """The patient's answers; ``None`` = not answered. ``duration`` is stored but not a model input."""

    age: int | None = None  # years
    sex: str | None = None  # "female" | "male"
    body_site: str | None = None  # one of BODY_SITES
    fitzpatrick: int | None = None  # skin type 1-6
    itches: bool | None = None
    grew: bool | None = None
    hurts: bool | None = None
    changed: bool | None = None
    bleeds: bool | None = None
    raised: bool | None = None
    duration: str | None = None  # free code from the product ("weeks", "months", "years", ...)

    def __post_init__(self) -> None:
        if self.sex not in (None, "female", "male"):
            raise ValueError(f"sex must be 'female', 'male' or None, not {self.sex!r}")
        if self.body_site not in (None, "unknown", *BODY_SITES):
            raise ValueError(f"unknown body site {self.body_site!r}")
        if self.fitzpatrick is not None and not 1 <= self.fitzpatrick <= 6:
            raise ValueError("fitzpatrick must be 1-6")
        if self.age is not None and not 0 <= self.age <= 120:
            raise ValueError("age must be 0-120")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Answers:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def answered(self) -> tuple[str, ...]:
        """The model-input groups that are known."""
        return tuple(g for g in GROUPS if getattr(self, g) not in (None, "unknown"))


ENCODED_SIZE = 2 + 2 + len(BODY_SITES) + 6 + 2 * len(HISTORY)


def group_slices() -> dict[str, slice]:
    """Where each answer group sits in the encoded vector (for answer dropout in training)."""
    sizes = {"age": 2, "sex": 2, "body_site": len(BODY_SITES), "fitzpatrick": 6, **dict.fromkeys(HISTORY, 2)}
    out, start = {}, 0
    for group in GROUPS:
        out[group] = slice(start, start + sizes[group])
        start += sizes[group]
    return out


def encode(answers: Answers | None) -> np.ndarray:
    """Answers -> float32 vector of ENCODED_SIZE; every unknown group is all zeros."""
    v = np.zeros(ENCODED_SIZE, dtype=np.float32)
    if answers is None:
        return v
    s = group_slices()
    if answers.age is not None:
        v[s["age"]] = (1.0, float(np.clip((answers.age - 50.0) / 20.0, -2.5, 2.5)))
    if answers.sex is not None:
        v[s["sex"].start + ("female", "male").index(answers.sex)] = 1.0
    if answers.body_site in BODY_SITES:
        v[s["body_site"].start + BODY_SITES.index(answers.body_site)] = 1.0
    if answers.fitzpatrick is not None:
        v[s["fitzpatrick"].start + answers.fitzpatrick - 1] = 1.0
    for name in HISTORY:
        value = getattr(answers, name)
        if value is not None:
            v[s[name].start + (0 if value else 1)] = 1.0
    return v


def _bool(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.strip().lower())


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def from_metadata_row(row: dict[str, Any]) -> Answers:
    """One row of HAM10000's or PAD-UFES-20's metadata.csv -> Answers (missing/UNK = unknown)."""
    age = _number(row.get("age", ""))
    age = int(age) if age is not None and 0 <= age <= 120 else None
    sex = (row.get("sex") or row.get("gender") or "").strip().lower()
    sex = {"female": "female", "male": "male", "f": "female", "m": "male"}.get(sex)
    if "localization" in row:
        site = row["localization"].strip().lower()
        site = site if site in BODY_SITES else None
        return Answers(age=age, sex=sex, body_site=site)
    site = PAD_REGIONS.get((row.get("region") or "").strip().upper())
    fitz = _number(row.get("fitspatrick", ""))
    fitz = int(fitz) if fitz is not None and 1 <= fitz <= 6 else None

    def history(name: str) -> bool | None:
        return _bool(row.get(PAD_HISTORY[name], ""))

    return Answers(
        age=age,
        sex=sex,
        body_site=site,
        fitzpatrick=fitz,
        itches=history("itches"),
        grew=history("grew"),
        hurts=history("hurts"),
        changed=history("changed"),
        bleeds=history("bleeds"),
        raised=history("raised"),
    )


def read_metadata(path: str | Path) -> dict[str, Answers]:
    """metadata.csv (either format) -> {file stem: Answers}."""
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            key = row.get("image_id") or Path(row.get("img_id", "")).stem
            if key:
                out[key] = from_metadata_row(row)
    return out
