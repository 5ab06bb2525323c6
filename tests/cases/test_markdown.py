"""Markdown from help articles renders formatting, and never script or foreign markup."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from cases.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<div>\n<script>alert(1)</script>\n</div>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://evil.example/x.png)',
    '[x](https://example.com "a" onmouseover="alert(1)")',
    "`<script>` is fine in code, <script>alert(1)</script> is not",
]


ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i"}
ALLOWED_TAGS |= {"code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody"}
ALLOWED_TAGS |= {"tr", "th", "td"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def dangerous_markup(html: str) -> list[str]:
    collector = ElementCollector()
    collector.feed(html)
    problems = []
    for tag, attributes in collector.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}>")
        for name in attributes:
            if name not in {"href", "title", "rel", "start"}:
                problems.append(f"{tag}[{name}]")
        href = (attributes.get("href") or "").strip().lower()
        if ":" in href.split("/")[0] and not href.startswith(SAFE_SCHEMES):
            problems.append(f"href={href}")
    return problems


def test_the_markup_check_itself_spots_script():
    assert dangerous_markup('<a href=" JavaScript:x" onclick="y">z</a><img src=x>') == [
        "a[onclick]",
        "href=javascript:x",
        "<img>",
        "img[src]",
    ]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_never_survives_rendering(payload):
    assert dangerous_markup(render_markdown(payload)) == []


def test_raw_html_is_shown_as_text_not_interpreted():
    html = render_markdown("Press <b>Save</b> then <em>wait</em>.")
    assert html == "<p>Press &lt;b&gt;Save&lt;/b&gt; then &lt;em&gt;wait&lt;/em&gt;.</p>"


def test_raw_html_block_is_shown_as_text():
    html = render_markdown('<div class="banner">Sale!</div>')
    assert "<div" not in html
    assert "&lt;div" in html


def test_images_are_dropped():
    assert "<img" not in render_markdown("![diagram](https://example.com/d.png)")


def test_result_is_marked_safe_for_templates():
    assert isinstance(render_markdown("*hi*"), SafeString)


@pytest.mark.parametrize("text", ["", None])
def test_empty_text_renders_nothing(text):
    assert render_markdown(text) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold** and *italic*", "<p><strong>bold</strong> and <em>italic</em></p>"),
        ("## Steps", "<h2>Steps</h2>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("Run `Get-Mailbox`", "<p>Run <code>Get-Mailbox</code></p>"),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
        ("Fish &amp; chips", "<p>Fish &amp; chips</p>"),
    ],
)
def test_ordinary_markdown_still_renders(text, expected):
    assert render_markdown(text) == expected


def test_tables_render_without_inline_styles():
    html = render_markdown("| Plan | Price |\n|:--|--:|\n| Basic | 6 |")
    assert "<table>" in html
    assert "<td>Basic</td>" in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "url", ["https://example.com/help", "http://example.com", "mailto:help@example.com", "/help/x"]
)
def test_safe_links_are_kept_with_rel_noopener_noreferrer_nofollow(url):
    html = render_markdown(f"[help]({url})")
    assert f'href="{url}"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_links_own_rel_is_replaced():
    html = render_markdown('[x](https://example.com "title")')
    assert html == (
        '<p><a href="https://example.com" title="title" rel="noopener noreferrer nofollow">'
        "x</a></p>"
    )


def test_template_filter_renders_markdown_without_double_escaping():
    template = Template("{% load cases_markdown %}{{ body|markdown }}")
    html = template.render(Context({"body": "**Note:** <script>alert(1)</script>"}))
    assert html == "<p><strong>Note:</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_template_filter_renders_nothing_for_none():
    template = Template("{% load cases_markdown %}{{ body|markdown }}")
    assert template.render(Context({"body": None})) == ""
