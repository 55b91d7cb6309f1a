"""``{% icon "camera" %}``: inline a vendored Bootstrap Icons SVG (no icon font, no CDN).

Icons are decorative (aria-hidden); put the meaning in text next to them.
Available names: the files in static/vendor/bootstrap-icons/ (see ICONS in the Makefile).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@lru_cache(maxsize=128)
def _svg(name: str) -> str:
    path = settings.BASE_DIR / "static" / "vendor" / "bootstrap-icons" / f"{name}.svg"
    if not name.replace("-", "").isalnum() or not path.is_file():
        raise template.TemplateSyntaxError(f"unknown icon {name!r}")
    return path.read_text(encoding="utf-8")


@register.simple_tag
def icon(name: str, css: str = "", size: str = "1em") -> SafeString:
    svg = _svg(name)
    svg = svg.replace('width="16" height="16"', f'width="{escape(size)}" height="{escape(size)}"', 1)
    svg = svg.replace(
        f'class="bi bi-{name}"', f'class="bi bi-{name} {escape(css)}" aria-hidden="true" focusable="false"', 1
    )
    return mark_safe(svg)  # noqa: S308 - our own vendored files, attributes escaped
