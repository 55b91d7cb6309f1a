from __future__ import annotations

from django.template import Context, Template

from diseases.markdown import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("**Itchy** skin\n\n- one\n- two")

    assert "<strong>Itchy</strong>" in html
    assert "<li>one</li>" in html


def test_script_and_style_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script><style>p{}</style> world")

    assert "<script" not in html
    assert "alert" not in html
    assert "<style" not in html
    assert "Hello" in html


def test_event_handlers_and_unknown_tags_are_stripped():
    html = render_markdown(
        '<p onclick="steal()">x</p><iframe src="https://evil"></iframe><img src=x onerror=y>'
    )

    assert "onclick" not in html
    assert "iframe" not in html
    assert "<img" not in html
    assert "onerror" not in html


def test_javascript_links_lose_their_href_and_links_get_safe_rel():
    html = render_markdown("[bad](javascript:alert(1)) and [good](https://www.who.int/)")

    assert "javascript:" not in html
    assert '<a href="https://www.who.int/" rel="noopener nofollow">good</a>' in html
    assert '<a rel="noopener nofollow">bad</a>' in html


def test_template_filter_outputs_sanitised_html_unescaped():
    template = Template("{% load disease_tags %}{{ text|markdown }}")

    html = template.render(Context({"text": "*hi* <script>x()</script>"}))

    assert html.strip() == "<p><em>hi</em> </p>"


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_list_directly_after_a_paragraph_is_still_a_list():
    html = render_markdown("See a doctor if you notice:\n- bleeding\n- itching\n\nThen rest.")

    assert html == (
        "<p>See a doctor if you notice:</p>\n<ul>\n<li>bleeding</li>\n<li>itching</li>\n</ul>\n"
        "<p>Then rest.</p>"
    )


def test_numbered_list_after_a_paragraph_is_a_list():
    html = render_markdown("Steps:\n1. wash\n2. dry")

    assert "<ol>\n<li>wash</li>\n<li>dry</li>\n</ol>" in html


def test_markdown_text_is_plain_and_escaped_by_templates():
    template = Template('{% load disease_tags %}<meta content="{{ text|markdown_text }}">')

    html = template.render(Context({"text": 'Say **"hi"** & <b>bye</b>\n\n- one'}))

    assert html == '<meta content="Say &quot;hi&quot; &amp; bye one">'
