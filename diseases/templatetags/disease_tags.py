from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from diseases.markdown import markdown_to_text, render_markdown
from diseases.models import localized_value

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """``{{ disease.summary|markdown }}``: Markdown rendered and sanitised."""
    return render_markdown(text)


@register.filter(name="markdown_text")
def markdown_text_filter(text: str | None) -> str:
    """``{{ disease.summary|markdown_text|truncatewords:30 }}``: plain text, autoescaped."""
    return markdown_to_text(text)


@register.filter(name="localized")
def localized_filter(obj: object, base: str) -> str:
    """``{{ disease|localized:"summary" }}``: field in the active language, English fallback."""
    return localized_value(obj, base)


URGENCY_BADGE_CLASSES = {
    "emergency": "text-bg-danger",
    "soon": "text-bg-warning",
    "routine": "text-bg-info",
    "selfcare": "text-bg-success",
}


@register.filter
def urgency_badge_class(urgency: str) -> str:
    return URGENCY_BADGE_CLASSES.get(urgency, "text-bg-secondary")


URGENCY_BORDER_CLASSES = {
    "emergency": "danger",
    "soon": "warning",
    "routine": "info",
    "selfcare": "success",
}


@register.filter
def urgency_border_class(urgency: str) -> str:
    return URGENCY_BORDER_CLASSES.get(urgency, "secondary")
