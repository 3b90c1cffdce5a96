"""Parse existing fact sheets (plain text in the society's web layout, or Markdown with front matter).

Pure functions, no database: `parse_file(path)` / `parse_bytes(data, name=...)` return a `ParsedSheet`
or raise `ImportParseError` with the line that stopped them. The database side lives in the
`reviews.importing` module (planning and writing; app `reviews`, because publishing needs a committee).

Plain-text layout (see README, "Import and export"):

    Generic (Brand1, Brand2)          <- title: generic name and brand names
    medicine injections               <- optional short tagline: a web-page category, ignored (reported)
    Fast Facts                        <- bullet lines ("•", "-", "*") become the fast facts
    paragraphs ...                    <- before the first heading: the "Overview" section
    How it works                      <- a known heading (HEADING_KINDS), any case
    paragraphs ...
    (two blank lines)                 <- the source lost a heading here; see SPLIT_KEYWORDS
    Some Short Line                   <- an unknown heading-like line: an `other` section
    Updated March 2015 by A. Author, and reviewed by the Some Committee.   <- footer
    disclaimer and copyright lines    <- not content, dropped

Markdown: front matter between `---` lines (`key: value`, lists as `- item` lines), an optional
`# Title`, `## Fast Facts` with a bullet list, then `## Heading` sections; `## Heading {#kind}` fixes
the kind (the exporter always writes it so a round trip keeps every kind).
"""

from __future__ import annotations

from pathlib import Path

from factsheets.importing.html import HTML_SUFFIXES, looks_like_html, parse_html
from factsheets.importing.markdown import parse_front_matter, parse_markdown, to_markdown
from factsheets.importing.rules import CONTROL_RE, HEADING_KINDS, SPLIT_KEYWORDS, heading_kind
from factsheets.importing.sheet import (
    DEFAULT_ENCODING,
    MARKDOWN_SUFFIXES,
    MAX_FILE_BYTES,
    ImportParseError,
    ParsedSection,
    ParsedSheet,
)
from factsheets.importing.structure import match_footer, parse_date, split_title
from factsheets.importing.text import parse_text

__all__ = [
    "DEFAULT_ENCODING",
    "HEADING_KINDS",
    "MAX_FILE_BYTES",
    "SPLIT_KEYWORDS",
    "ImportParseError",
    "ParsedSection",
    "ParsedSheet",
    "decode",
    "heading_kind",
    "match_footer",
    "parse_bytes",
    "parse_date",
    "parse_file",
    "parse_front_matter",
    "parse_markdown",
    "parse_text",
    "split_title",
    "to_markdown",
]


def parse_file(path: str | Path, *, encoding: str = DEFAULT_ENCODING, title: str = "", slug: str = "") -> ParsedSheet:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportParseError(f"cannot read the file ({exc.strerror or exc})") from exc
    if size > MAX_FILE_BYTES:
        raise ImportParseError(
            f"the file is {size / 1024 / 1024:.1f} MB; fact sheets larger than {MAX_FILE_BYTES // 1024} KB are refused"
        )
    if path.is_dir():
        raise ImportParseError("this is a folder, not a file")
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    return parse_bytes(data, name=path.name, encoding=encoding, title=title, slug=slug)


def decode(data: bytes, *, encoding: str = DEFAULT_ENCODING) -> str:
    """Bytes to text. Binary data and text that is not in `encoding` are refused with the line."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportParseError(f"the file is larger than {MAX_FILE_BYTES // 1024} KB; larger fact sheets are refused")
    if not data.strip():
        raise ImportParseError("the file is empty")
    is_utf16 = encoding.lower().replace("_", "-").startswith(("utf-16", "utf16", "utf-32", "utf32"))
    if not is_utf16 and b"\x00" in data:
        raise ImportParseError("binary data, not text (NUL byte)", line=data[: data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportParseError(
            f"not {encoding.removesuffix('-sig').upper()} text (byte 0x{data[exc.start]:02x} cannot be decoded); "
            "save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)",
            line=line,
        ) from exc
    except LookupError as exc:
        raise ImportParseError(f"unknown encoding {encoding!r}") from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = CONTROL_RE.search(text)
    if bad:
        raise ImportParseError(
            f"binary data, not text (control character U+{ord(bad.group()):04X})",
            line=text[: bad.start()].count("\n") + 1,
        )
    if not text.strip():
        raise ImportParseError("the file is empty")
    return text


def parse_bytes(
    data: bytes, *, name: str = "", encoding: str = DEFAULT_ENCODING, title: str = "", slug: str = ""
) -> ParsedSheet:
    """`title`/`slug` (the command's --title/--slug) override what the file says, for a file whose top is unclear."""
    text = decode(data, encoding=encoding)
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES or (suffix not in MARKDOWN_SUFFIXES and looks_like_html(text)):
        sheet = parse_html(text, title=title)
    elif suffix in MARKDOWN_SUFFIXES or text.startswith("---\n"):
        sheet = parse_markdown(text)
    else:
        return parse_text(text, title=title, slug=slug)
    if title:
        sheet.title = title
    if slug:
        sheet.slug = slug
    return sheet
