"""The patient's frame around the spot: parse, check and apply a crop box (Pillow only).

The box is in pixels of the photo *as displayed*, i.e. after its EXIF orientation is applied
(what the browser shows and what the camera canvas captured). The upload validator decodes the
photo (perhaps at a reduced JPEG draft scale), then calls :func:`apply_crop`, which applies the
orientation, scales the box to the decoded size and keeps only the framed pixels: nothing
outside the frame is stored. Without a box the whole photo is used, as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

FIELDS: tuple[str, ...] = ("crop_x", "crop_y", "crop_width", "crop_height")
# Rounding in the browser (and a one-pixel slip of the frame) may overshoot the photo's edge
# slightly; that much is clamped, anything more is refused as outside the photo.
EDGE_TOLERANCE_PX = 2
EDGE_TOLERANCE_FRACTION = 0.005
# Orientation tag -> transposition that makes the decoded pixels look as displayed (also used
# by diagnosis.imaging).
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class CropBox:
    """A frame in displayed-photo pixels: left, top, width, height."""

    x: float
    y: float
    width: float
    height: float

    def as_list(self) -> list[int]:
        return [round(self.x), round(self.y), round(self.width), round(self.height)]


def _invalid(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


NOT_NUMBERS = gettext_lazy(
    "The frame around the spot could not be read (its position must be numbers). Please frame the spot again."
)


def msg_not_numbers() -> str:
    return str(NOT_NUMBERS)


def parse_crop(values: Mapping[str, Any]) -> CropBox | None:
    """``crop_x/crop_y/crop_width/crop_height`` (strings or numbers) -> a box, or None if absent.

    All four blank means "no frame, use the whole photo". Raises ValidationError (translated)
    for a partial box, values that are not finite numbers, or a zero/negative size.
    """
    raw = {name: values.get(name) for name in FIELDS}
    given = {k: v for k, v in raw.items() if v is not None and str(v).strip() != ""}
    if not given:
        return None
    if len(given) != len(FIELDS):
        raise _invalid(
            _(
                "The frame around the spot is incomplete. "
                "Please frame the spot again, or send the whole photo."
            ),
            "crop_incomplete",
        )
    numbers: dict[str, float] = {}
    for name, value in given.items():
        if isinstance(value, bool):
            raise _invalid(msg_not_numbers(), "crop_not_number")
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            raise _invalid(msg_not_numbers(), "crop_not_number") from None
        if not math.isfinite(number):
            raise _invalid(msg_not_numbers(), "crop_not_number")
        numbers[name] = number
    box = CropBox(numbers["crop_x"], numbers["crop_y"], numbers["crop_width"], numbers["crop_height"])
    if box.width < 1 or box.height < 1:
        raise _invalid(_("The frame around the spot has no size. Please frame the spot again."), "crop_empty")
    return box


def displayed_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Size of a decoded ``width`` x ``height`` photo once its orientation is applied."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def check_crop(box: CropBox, size: tuple[int, int], min_side: int) -> tuple[int, int, int, int]:
    """Validate ``box`` against the displayed photo ``size``; return (left, top, right, bottom).

    A box overshooting an edge by a rounding slip is clamped; one clearly outside the photo, or
    one that would leave fewer than ``min_side`` pixels on a side, is refused.
    """
    width, height = size
    slack_x = max(EDGE_TOLERANCE_PX, width * EDGE_TOLERANCE_FRACTION)
    slack_y = max(EDGE_TOLERANCE_PX, height * EDGE_TOLERANCE_FRACTION)
    right, bottom = box.x + box.width, box.y + box.height
    if box.x < -slack_x or box.y < -slack_y or right > width + slack_x or bottom > height + slack_y:
        raise _invalid(
            _(
                "The frame around the spot goes outside the photo (the photo is %(w)s × %(h)s pixels). "
                "Please frame the spot again."
            )
            % {"w": width, "h": height},
            "crop_outside",
        )
    left, top = max(0, math.floor(box.x)), max(0, math.floor(box.y))
    right, bottom = min(width, math.ceil(right)), min(height, math.ceil(bottom))
    if right - left < min_side or bottom - top < min_side:
        raise _invalid(
            _(
                "The frame around the spot is too small (at least %(min)s pixels on each side are needed). "
                "Please make the frame larger or take a closer photo."
            )
            % {"min": min_side},
            "crop_too_small",
        )
    return left, top, right, bottom


def apply_crop(
    img: Image.Image, box: CropBox, *, source_size: tuple[int, int], orientation: int, min_side: int
) -> Image.Image:
    """Orient ``img`` as displayed and keep only the framed part.

    ``source_size`` is the photo's full stored size before orientation (``img`` may be smaller
    when the JPEG was decoded at a draft scale); the box is checked against the full displayed
    size and scaled to ``img``.
    """
    if orientation in TRANSPOSE:
        img = img.transpose(TRANSPOSE[orientation])
    full_w, full_h = displayed_size(*source_size, orientation)
    left, top, right, bottom = check_crop(box, (full_w, full_h), min_side)
    sx, sy = img.width / full_w, img.height / full_h
    scaled = (
        max(0, math.floor(left * sx)),
        max(0, math.floor(top * sy)),
        min(img.width, max(math.floor(left * sx) + 1, round(right * sx))),
        min(img.height, max(math.floor(top * sy) + 1, round(bottom * sy))),
    )
    return img.crop(scaled)
