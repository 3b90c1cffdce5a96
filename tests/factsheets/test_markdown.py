"""Hostile Markdown never reaches a page: rendered by markdown-it, then cleaned by nh3's allow-list."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt

from factsheets.content import markdown
from factsheets.content.markdown import ALLOWED_TAGS, render_markdown, strip_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "before <script>alert(1)</script> after",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="#" onclick="alert(1)">click</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<svg onload="alert(1)"></svg>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://example.org/x.png "title" onerror="alert(1)")',
    '<iframe src="https://evil.example/"></iframe>',
    "<object data=x></object><embed src=x>",
    "<style>body { display: none }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<span style="position:fixed">overlay</span>',
    '<form action="https://evil.example"><input name=x></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href='https://evil.example/'>",
    "```html\n<script>alert(1)</script>\n```",
    "<div><script>alert(1)</script></div>\n\n**bold**",
    "<!-- <script>alert(1)</script> -->",
]

SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}  # "" is a relative link such as "#top"


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parsed(html: str):
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


def assert_harmless(html: str):
    for tag, attrs in parsed(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event attribute {name} survived in {html!r}"
            assert name != "style", f"style attribute survived in {html!r}"
            if name in ("href", "src"):
                # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
                scheme = urlsplit(re.sub(r"[\x00-\x20]", "", value)).scheme.lower()
                assert scheme in SAFE_SCHEMES, f"unsafe URL {value!r} in {html!r}"
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<style" not in lowered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_markdown_is_neutralised(payload):
    assert_harmless(render_markdown(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_alone_removes_raw_html_that_slips_through(payload, monkeypatch):
    """Even if the renderer passed raw HTML on, the nh3 allow-list still removes it."""
    monkeypatch.setattr(markdown, "_to_html", MarkdownIt("commonmark", {"html": True}).render)
    assert_harmless(render_markdown(payload))


def test_raw_html_in_markdown_is_shown_as_text_not_markup():
    html = render_markdown("<b>bold</b> and <script>x</script>")
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_safe_markdown_keeps_its_formatting():
    html = render_markdown("## Dosing\n\n- **once** a week\n- see [the leaflet](https://example.org/leaflet)")
    assert "<h4>Dosing</h4>" in html
    assert "<strong>once</strong>" in html
    assert '<a href="https://example.org/leaflet" rel="noopener noreferrer nofollow">the leaflet</a>' in html


def test_strip_markdown_gives_plain_text():
    assert strip_markdown("Take **one** tablet <script>x</script>") == "Take one tablet <script>x</script>"
