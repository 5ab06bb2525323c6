"""Markdown for text written by staff or customers (help articles), rendered safely.

The text is converted with a small set of Markdown extensions and raw HTML switched off (it
shows as text), then the HTML is cleaned by `nh3` against an allow-list, so neither a stray tag
nor a crafted link can run script in the reader's browser.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["fenced_code", "sane_lists", "tables"]

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


class _EscapeRawHtml(markdown_lib.Extension):
    """Treat HTML written in the text as text: `<b>` shows as "<b>" instead of making bold."""

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(text: str) -> SafeString:
    """Render ``text`` (Markdown) to HTML that is safe to put in a page.

    Allowed: paragraphs, headings, emphasis, lists, block quotes, code, tables and links to
    http, https and mailto addresses (relative links too), which get
    ``rel="noopener noreferrer nofollow"``. Images, raw HTML, attributes such as ``onerror``
    and ``style``, and ``javascript:`` links are dropped or shown as text. Empty text is "".
    """
    if not text:
        # A constant empty string: nothing to escape.
        return mark_safe("")  # nosec B308
    # A fresh converter per call: Markdown instances keep state and are not thread-safe.
    converter = markdown_lib.Markdown(extensions=[*EXTENSIONS, _EscapeRawHtml()])
    html = converter.convert(str(text))
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # Sanitised by nh3 against the allow-list just above (tests/cases/test_markdown.py, XSS tests).
    return mark_safe(cleaned)  # noqa: S308  # nosec B308, B703
