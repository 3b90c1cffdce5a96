"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list of tags and attributes.

Raw HTML in the source is escaped by the renderer and, should any slip through, removed by the
sanitiser: no script, style, iframe, event attribute or javascript: URL can reach a page or the API.
"""

import html

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _shift_headings(html: str) -> str:
    # Section headings are h2 on the page, so headings inside a body start at h3.
    for level in (6, 5, 4, 3, 2, 1):
        target = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


def render_markdown(source: str) -> str:
    html = _shift_headings(_md.render(source or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def strip_markdown(source: str) -> str:
    """Plain text of a Markdown body (for reading scores, search and summaries)."""
    return html.unescape(nh3.clean(_md.render(source or ""), tags=set())).strip()
