"""Render Django form fields with Bootstrap classes (used by allauth element overrides)."""

from __future__ import annotations

from django import template
from django.forms import BoundField, CheckboxInput, RadioSelect, Select, SelectMultiple

register = template.Library()


@register.filter
def bs_widget(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, CheckboxInput | RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, Select | SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    if widget.attrs.get("autocomplete") == "one-time-code":
        # Verification codes are Latin letters ("BCDF-GHJK"): left to right inside an
        # Arabic page, capitals offered by phone keyboards, no spelling fixes.
        attrs.update({"dir": "ltr", "autocapitalize": "characters", "spellcheck": "false"})
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, CheckboxInput)
