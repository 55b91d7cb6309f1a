"""Safe Markdown rendering for curated disease content.

Curators are trusted-ish staff, but their text is shown to anonymous visitors, so the
HTML produced by Markdown (which passes raw HTML through) is sanitised with nh3 against
a small allow-list. Script/style elements are removed with their content, event handler
attributes and non-http(s)/mailto links (``javascript:``) are dropped, and every link
gets ``rel="noopener nofollow"``.
"""

from __future__ import annotations

import html
import re

import markdown as markdown_lib
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "blockquote",
    "code",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")


def _separate_lists(text: str) -> str:
    """Insert the blank line Python-Markdown needs before a list that follows a paragraph.

    Curators (and CommonMark) write "Watch for:\n- one\n- two"; Python-Markdown would
    otherwise run those items into the paragraph as plain text.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    result: list[str] = []
    for line in lines:
        if result and _LIST_ITEM.match(line):
            previous = result[-1]
            if previous.strip() and not _LIST_ITEM.match(previous) and not previous[:1].isspace():
                result.append("")
        result.append(line)
    return "\n".join(result)


def render_markdown(text: str | None) -> SafeString:
    """Render Markdown to sanitised HTML that is safe to output unescaped."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(_separate_lists(text), extensions=["sane_lists"], output_format="html")
    return mark_safe(sanitize_html(html))  # noqa: S308 - sanitised by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """Plain text of the Markdown (for previews and meta tags); NOT marked safe."""
    rendered = strip_tags(render_markdown(text))
    return " ".join(html.unescape(rendered).split())
