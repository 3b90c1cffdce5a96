"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list of tags and attributes.

Raw HTML in the source is escaped by the renderer and, should any slip through, removed by the
sanitiser: no script, style, iframe, event attribute or javascript: URL can reach a page or the API.
"""

import functools
import html
import re
import threading

import nh3
from django.core.exceptions import ValidationError
from markdown_it import MarkdownIt

from factsheets.content import limits

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Block containers (lists, quotes) may nest as deep as the limits allow; deeper than the parser's nesting
# limit it would silently drop the rest of the text, so `markdown_problems` refuses that first.
_BLOCK_NESTING = 2 * limits.MARKDOWN_MAX_NESTING + 4
# Inline constructs inside a link label rarely nest more than a few deep; each level multiplies the work
# the parser does on unclosed brackets ("![![![..."), so a low bound keeps rendering linear and fast.
# Text beyond it is kept as plain text, never dropped.
_INLINE_NESTING = 6


def _nesting(value: int):
    def rule(state) -> None:
        state.md.options["maxNesting"] = value

    return rule


def _new_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": _BLOCK_NESTING})
    md.enable("table")
    md.core.ruler.before("block", "block_nesting", _nesting(_BLOCK_NESTING))
    md.core.ruler.before("inline", "inline_nesting", _nesting(_INLINE_NESTING))
    return md


class _Parsers(threading.local):
    """One parser per thread: the nesting limit is switched between the block and inline phases."""

    def __init__(self):
        self.render = _new_parser()


_parsers = _Parsers()


_CONTAINER_TAG = re.compile(r"<(/?)(ul|ol|blockquote)\b", re.I)


def nesting_depth(rendered_html: str) -> int:
    """How deep lists and quotes nest in rendered HTML."""
    depth = deepest = 0
    for closing, _name in _CONTAINER_TAG.findall(rendered_html or ""):
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest


def check_nesting(rendered_html: str) -> None:
    deepest = nesting_depth(rendered_html)
    if deepest > limits.MARKDOWN_MAX_NESTING:
        raise ValidationError(
            f"Lists or quotes are nested {deepest} levels deep here; at most {limits.MARKDOWN_MAX_NESTING} "
            "levels can be shown. Flatten the deepest ones.",
            code="markdown_nested_too_deep",
        )


def markdown_problems(source: str) -> None:
    """Validator: refuse Markdown that could not be shown in full (lists or quotes nested too deep: the
    parser would drop what lies deeper). The rendering is cached, so saving right after costs nothing more."""
    check_nesting(render_markdown(source))


def _to_html(source: str) -> str:
    if len(source) > limits.SECTION_BODY_MAX_LENGTH:
        # Only text stored past the model's validation gets here (it can never be submitted); shown as
        # plain text so its author can still open and shorten it, instead of a parse that takes minutes.
        return f"<pre>{html.escape(source)}</pre>"
    return _parsers.render.render(source)


def _shift_headings(html: str) -> str:
    # Section headings are h2 on the page, so headings inside a body start at h3.
    for level in (6, 5, 4, 3, 2, 1):
        target = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


@functools.lru_cache(maxsize=64)
def render_markdown(source: str) -> str:
    html = _shift_headings(_to_html(source or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def strip_markdown(source: str) -> str:
    """Plain text of a Markdown body (for reading scores, search and summaries)."""
    return html.unescape(nh3.clean(_to_html(source or ""), tags=set())).strip()
