"""Parse existing fact sheets (plain text in the society's web layout, or Markdown with front matter).

Pure functions, no database: `parse_file(path)` / `parse_bytes(data, name=...)` return a `ParsedSheet`
or raise `ImportParseError` with the line that stopped them. The database side lives in the
`import_factsheets` command (app `reviews`, because publishing an import needs a committee).

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

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from .markdown import strip_markdown
from .models import BODY_MAX_LENGTH, SectionKind

MAX_FILE_BYTES = 1024 * 1024  # a fact sheet is a few kilobytes; anything near a megabyte is not one
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
SUMMARY_MAX_LENGTH = 1000  # FactSheetRevision.summary
SUMMARY_TARGET_LENGTH = 300  # "one or two plain sentences"
TITLE_MAX_LENGTH = 200
CREDIT_MAX_LENGTH = 300
HEADING_MAX_LENGTH = 200
MARKDOWN_SUFFIXES = {".md", ".markdown"}

# Known headings -> section kind. Each pattern must match the whole heading, lowercased, with
# surrounding punctuation (":", "?") removed. Add a line here to teach the importer a new heading.
HEADING_KINDS: list[tuple[str, str]] = [
    (r"overview|introduction|about (this|the) (medicine|medication|drug)|what is it( used for)?", SectionKind.OVERVIEW),
    (r"how (it|this medicine|the medicine|the drug) works?|how does it work|mechanism( of action)?",
     SectionKind.HOW_IT_WORKS),
    (r"dose|doses|dosing|dosage|usual dose|dos(e|ing|age) and administration"
     r"|how (to take|is it taken|it is taken)( it)?", SectionKind.DOSING),
    (r"time to effect|how (long|soon|quickly) (does|will|until) it .*|when will it (start to )?work",
     SectionKind.TIME_TO_EFFECT),
    (r"(possible |common )?side effects?", SectionKind.SIDE_EFFECTS),
    (r"(drug |medicine |medication )?interactions?( with other (medicines|medications|drugs))?",
     SectionKind.INTERACTIONS),
    (r"precautions?|warnings?( and precautions)?|cautions?|safety", SectionKind.PRECAUTIONS),
    (r"pregnancy.*|breast-?feeding.*|fertility.*", SectionKind.PREGNANCY),
    (r"vaccines?|vaccinations?|immuni[sz]ations?", SectionKind.VACCINES),
    (r"storage.*|storing .*|how (to|do i|should i) store .*", SectionKind.STORAGE),
    (r"information to discuss with (your )?(health ?care providers?|doctors?)|what to (discuss|tell) .*"
     r"|things to (discuss|tell) .*|questions? (for|to ask) your (doctor|health ?care providers?)",
     SectionKind.DISCUSS),
]
_HEADING_RES = [(re.compile(pattern), kind) for pattern, kind in HEADING_KINDS]

# Two or more blank lines inside a section mean the source lost a heading there (web pages flattened
# to text drop collapsed sub-headings). The following paragraphs start a new section only when their
# first sentence clearly names another topic; otherwise they stay where they are.
SPLIT_KEYWORDS: list[tuple[str, str]] = [
    (r"\b(dose|doses|dosing|dosage)\b", SectionKind.DOSING),
    (r"\b(stored?|storage|refrigerat\w*)\b", SectionKind.STORAGE),
    (r"\b(pregnan\w*|breast-?feed\w*)\b", SectionKind.PREGNANCY),
    (r"\bvaccin\w*\b", SectionKind.VACCINES),
    (r"\bside effects?\b", SectionKind.SIDE_EFFECTS),
    (r"\binteract\w*\b", SectionKind.INTERACTIONS),
]
_SPLIT_RES = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in SPLIT_KEYWORDS]

MONTHS = {name.lower(): i for i, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"], start=1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9

FOOTER_RE = re.compile(
    r"^updated\s+(?P<month>[a-z]+)\.?\s+(?P<year>\d{4})\s+by\s+(?P<authors>.+?)"
    r"(?:,?\s+and\s+reviewed\s+by\s+(?:the\s+)?(?P<committee>.+?))?\s*\.?\s*$",
    re.IGNORECASE | re.DOTALL,
)
DISCLAIMER_RE = re.compile(r"\bfor general education(al)? (purposes )?only\b", re.IGNORECASE)
COPYRIGHT_RE = re.compile(r"^\s*(©|\(c\)|copyright\b)", re.IGNORECASE)
FAST_FACTS_RE = re.compile(r"^fast facts:?$", re.IGNORECASE)
BULLET_RE = re.compile(r"^\s*(?:[•*\-–·▪◦])\s+(?P<text>.*\S)\s*$")
TITLE_RE = re.compile(r"^(?P<generic>[^()]+?)\s*\((?P<brands>[^()]*)\)\s*$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z0-9“\"(])")


class ImportParseError(Exception):
    """The file cannot be imported; `line` (1-based) points at the cause when there is one."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedSection:
    kind: str
    heading: str
    body: str
    line: int  # where the section starts in the source

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.kind, self.heading, self.body)


@dataclass
class ParsedSheet:
    title: str
    generic_name: str
    brand_names: list[str]
    slug: str
    summary: str = ""
    fast_facts: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    updated_on: dt.date | None = None
    credit_line: str = ""
    committee_name: str = ""
    conditions: list[str] = field(default_factory=list)
    change_note: str = ""
    tagline: str = ""
    source_format: str = "text"
    title_line: int = 1
    footer_line: int | None = None
    warnings: list[str] = field(default_factory=list)

    def canonical_content(self) -> dict:
        """What a patient reads, in the shape of `FactSheetRevision.canonical_content()` with conditions by name
        (their slugs are this site's), so an export and its re-import can be compared."""
        return {
            "title": self.title,
            "generic_name": self.generic_name,
            "brand_names": list(self.brand_names),
            "conditions": list(self.conditions),
            "summary": self.summary,
            "fast_facts": list(self.fast_facts),
            "sections": [{"kind": s.kind, "heading": s.heading, "body": s.body} for s in self.sections],
            "credit_line": self.credit_line,
        }


# Reading --------------------------------------------------------------------------------------------


def parse_file(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> ParsedSheet:
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
    return parse_bytes(data, name=path.name, encoding=encoding)


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


def parse_bytes(data: bytes, *, name: str = "", encoding: str = DEFAULT_ENCODING) -> ParsedSheet:
    text = decode(data, encoding=encoding)
    if Path(name).suffix.lower() in MARKDOWN_SUFFIXES or text.startswith("---\n"):
        return parse_markdown(text)
    return parse_text(text)


# Shared helpers -------------------------------------------------------------------------------------


def _normalise_heading(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().strip(":?").strip()).lower()


def heading_kind(line: str) -> str | None:
    """The section kind of a known heading, or None."""
    normal = _normalise_heading(line)
    for pattern, kind in _HEADING_RES:
        if pattern.fullmatch(normal):
            return kind
    return None


def parse_month_year(month: str, year: str, *, line: int | None = None) -> dt.date:
    number = MONTHS.get(month.lower().rstrip("."))
    if number is None:
        raise ImportParseError(f"unknown month {month!r} in the “Updated …” line", line=line)
    return dt.date(int(year), number, 1)


def parse_date(value: str, *, line: int | None = None) -> dt.date:
    """`2015-03-01` or `March 2015` (the first of that month)."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    match = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", value)
    if match:
        return parse_month_year(match.group(1), match.group(2), line=line)
    raise ImportParseError(f"{value!r} is not a date (use YYYY-MM-DD or “March 2015”)", line=line)


def split_title(title: str) -> tuple[str, list[str]]:
    """"Generic (Brand1, Brand2)" -> ("Generic", ["Brand1", "Brand2"]); no brackets -> no brands."""
    match = TITLE_RE.match(title)
    if not match:
        return title.strip(), []
    brands = [b.strip() for b in re.split(r"[,;/]", match.group("brands")) if b.strip()]
    return match.group("generic").strip(), brands


def make_summary(sections: list[ParsedSection], fast_facts: list[str]) -> str:
    """The first sentence or two of the overview (else of the first section), within the summary limit."""
    source = next((s for s in sections if s.kind == SectionKind.OVERVIEW), sections[0] if sections else None)
    text = ""
    if source is not None:
        first_paragraph = source.body.split("\n\n")[0]
        text = re.sub(r"\s+", " ", strip_markdown(first_paragraph)).strip()
    elif fast_facts:
        text = fast_facts[0]
    sentences = [s.strip() for s in SENTENCE_END_RE.split(text) if s.strip()]
    summary = ""
    for sentence in sentences[:2]:
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > SUMMARY_TARGET_LENGTH:
            break
        summary = candidate
    if len(summary) > SUMMARY_MAX_LENGTH:
        summary = summary[: SUMMARY_MAX_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return summary


def match_footer(text: str, *, line: int | None = None):
    """(updated_on, credit_line, committee_name) from an “Updated <Month YYYY> by …” line, or None."""
    match = FOOTER_RE.match(re.sub(r"\s+", " ", text.strip()))
    if not match:
        return None
    updated_on = parse_month_year(match.group("month"), match.group("year"), line=line)
    return updated_on, match.group("authors").strip().rstrip(","), (match.group("committee") or "").strip()


def _is_boilerplate(text: str) -> bool:
    return bool(DISCLAIMER_RE.search(text) or COPYRIGHT_RE.match(text))


def _check_lengths(sheet: ParsedSheet) -> None:
    if len(sheet.title) > TITLE_MAX_LENGTH:
        raise ImportParseError(f"the title is longer than {TITLE_MAX_LENGTH} characters", line=sheet.title_line)
    if len(sheet.credit_line) > CREDIT_MAX_LENGTH:
        raise ImportParseError(f"the credit line is longer than {CREDIT_MAX_LENGTH} characters", line=sheet.footer_line)
    if len(", ".join(sheet.brand_names)) > 500:
        raise ImportParseError("the brand names are longer than 500 characters", line=sheet.title_line)
    if len(sheet.summary) > SUMMARY_MAX_LENGTH:
        raise ImportParseError(f"the summary is longer than {SUMMARY_MAX_LENGTH} characters")
    if not sheet.slug or len(sheet.slug) > 200 or not re.fullmatch(r"[-a-zA-Z0-9_]+", sheet.slug):
        raise ImportParseError(
            f"cannot make a web address (slug) from {sheet.slug or sheet.title!r}", line=sheet.title_line
        )
    for section in sheet.sections:
        if len(section.heading) > HEADING_MAX_LENGTH:
            raise ImportParseError(f"the heading is longer than {HEADING_MAX_LENGTH} characters", line=section.line)
        if len(section.body) > BODY_MAX_LENGTH:
            raise ImportParseError(f"the section is longer than {BODY_MAX_LENGTH} characters", line=section.line)
    if not sheet.sections:
        raise ImportParseError(
            "no content: expected paragraphs or headed sections after the title", line=sheet.title_line
        )


# Plain text -----------------------------------------------------------------------------------------


@dataclass
class _Block:
    lines: list[str]
    line: int  # 1-based line of the first line
    blank_before: int  # blank lines between the previous block and this one

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = blank = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        else:
            if current:
                blocks.append(_Block(current, start, blank))
                current, blank = [], 0
            blank += 1
    if current:
        blocks.append(_Block(current, start, blank))
    # A heading written directly above its text (no blank line) is still a block of its own.
    split: list[_Block] = []
    for block in blocks:
        first = block.lines[0].strip()
        if len(block.lines) > 1 and (FAST_FACTS_RE.match(first) or heading_kind(first)):
            split.append(_Block(block.lines[:1], block.line, block.blank_before))
            split.append(_Block(block.lines[1:], block.line + 1, 0))
        else:
            split.append(block)
    return split


def _looks_like_heading(block: _Block) -> bool:
    """A short single line without closing punctuation, starting with a letter: an unknown heading."""
    if len(block.lines) != 1 or BULLET_RE.match(block.lines[0]):
        return False
    text = block.text
    return (
        len(text) <= 60
        and len(text.split()) <= 8
        and text[:1].isalpha()
        and not text.endswith((".", ",", ";", "!", "…"))
        and not FOOTER_RE.match(text)
    )


_ESCAPE_RE = re.compile(r"([\\`*_<])")
_BLOCK_START_RE = re.compile(r"^(#{1,6}\s|>|[-+]\s|\d+[.)]\s|=+$|-+$)")


def _escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as the same text (no accidental emphasis, lists or tags)."""
    text = _ESCAPE_RE.sub(r"\\\1", text)
    if _BLOCK_START_RE.match(text):
        text = "\\" + text
    return text


def _block_markdown(block: _Block) -> str:
    """One block of plain text as Markdown: bullet lines become a list, other lines one paragraph each run."""
    segments: list[tuple[str, list[str]]] = []  # ("list", items) or ("text", lines)
    for line in block.lines:
        bullet = BULLET_RE.match(line)
        if bullet:
            if not segments or segments[-1][0] != "list":
                segments.append(("list", []))
            segments[-1][1].append(bullet.group("text").strip())
        elif segments and segments[-1][0] == "list" and line[:1].isspace():
            segments[-1][1][-1] += " " + line.strip()  # a wrapped bullet continues
        else:
            if not segments or segments[-1][0] != "text":
                segments.append(("text", []))
            segments[-1][1].append(line.strip())
    out = []
    for kind, items in segments:
        if kind == "list":
            out.append("\n".join(f"- {_escape_markdown(item)}" for item in items))
        else:
            out.append(_escape_markdown(" ".join(items)))
    return "\n\n".join(out)


def _split_kind(block: _Block) -> str | None:
    first_sentence = SENTENCE_END_RE.split(block.text, maxsplit=1)[0]
    for pattern, kind in _SPLIT_RES:
        if pattern.search(first_sentence):
            return kind
    return None


def parse_text(text: str) -> ParsedSheet:
    blocks = _blocks(text)
    if not blocks:
        raise ImportParseError("the file is empty")

    # Title: the first line. A paragraph, a bullet, a heading or a footer there means there is no title.
    first = blocks[0]
    title = first.lines[0].strip()
    if (
        len(title) > TITLE_MAX_LENGTH
        or BULLET_RE.match(first.lines[0])
        or FAST_FACTS_RE.match(title)
        or heading_kind(title)
        or match_footer(title)
        or title.endswith((".", ",", ";", ":"))
    ):
        raise ImportParseError(
            "no title: the first line should be the drug name, like “Generic (Brand1, Brand2)”", line=first.line
        )
    rest_of_first = _Block(first.lines[1:], first.line + 1, 0) if len(first.lines) > 1 else None
    blocks = ([rest_of_first] if rest_of_first else []) + blocks[1:]
    generic, brands = split_title(title)
    sheet = ParsedSheet(
        title=title, generic_name=generic, brand_names=brands, slug=slugify(generic), title_line=first.line
    )

    index = 0
    # Tagline: a heading-like line right after the title that is lowercase or followed by another heading.
    if blocks and _looks_like_heading(blocks[0]) and not FAST_FACTS_RE.match(blocks[0].text) and not heading_kind(
        blocks[0].text
    ):
        following = blocks[1] if len(blocks) > 1 else None
        followed_by_heading = following is not None and (
            FAST_FACTS_RE.match(following.text) or heading_kind(following.text)
        )
        if blocks[0].text[:1].islower() or followed_by_heading:
            sheet.tagline = blocks[0].text
            sheet.warnings.append(
                f"line {blocks[0].line}: tagline “{sheet.tagline}” is a web-page category; not imported"
            )
            index = 1

    current: ParsedSection | None = None
    parts: list[str] = []
    sections: list[tuple[ParsedSection, list[str]]] = []

    def start(kind: str, heading: str, line: int) -> None:
        nonlocal current, parts
        current, parts = ParsedSection(kind=kind, heading=heading, body="", line=line), []
        sections.append((current, parts))

    in_fast_facts = False
    while index < len(blocks):
        block = blocks[index]
        index += 1
        text_ = block.text
        following = blocks[index] if index < len(blocks) else None

        footer = match_footer(text_, line=block.line)
        if footer:
            if sheet.footer_line is not None:
                raise ImportParseError(
                    f"a second “Updated … by …” line (the first is on line {sheet.footer_line})", line=block.line
                )
            sheet.updated_on, sheet.credit_line, sheet.committee_name = footer
            sheet.footer_line = block.line
            in_fast_facts = False
            continue
        if _is_boilerplate(text_):
            continue
        if FAST_FACTS_RE.match(text_):
            if sheet.fast_facts or in_fast_facts:
                raise ImportParseError("a second “Fast Facts” heading", line=block.line)
            in_fast_facts = True
            continue
        if in_fast_facts:
            bullets = [BULLET_RE.match(line) for line in block.lines]
            if bullets[0]:
                for line, bullet in zip(block.lines, bullets):
                    if bullet:
                        sheet.fast_facts.append(bullet.group("text").strip())
                    else:  # a wrapped bullet continues on the next line
                        sheet.fast_facts[-1] += " " + line.strip()
                continue
            in_fast_facts = False  # the first paragraph without a bullet ends the fast facts
            if not sheet.fast_facts:
                sheet.warnings.append(f"line {block.line}: “Fast Facts” has no bullet lines")

        kind = heading_kind(text_) if len(block.lines) == 1 else None
        if kind and len(text_) <= HEADING_MAX_LENGTH:
            start(kind, text_.strip().rstrip(":"), block.line)
            continue
        if _looks_like_heading(block) and following is not None and not match_footer(following.text):
            start(SectionKind.OTHER, text_.strip().rstrip(":"), block.line)
            continue

        if current is None:
            start(SectionKind.OVERVIEW, SectionKind.OVERVIEW.label, block.line)
        elif block.blank_before >= 2 and parts:
            guessed = _split_kind(block)
            if guessed and guessed != current.kind:
                start(guessed, SectionKind(guessed).label, block.line)
                sheet.warnings.append(
                    f"line {block.line}: no heading before this paragraph; "
                    f"started a “{SectionKind(guessed).label}” section"
                )
        parts.append(_block_markdown(block))

    for section, section_parts in sections:
        section.body = "\n\n".join(section_parts).strip()
        if section.body:
            sheet.sections.append(section)
        else:
            sheet.warnings.append(f"line {section.line}: heading “{section.heading}” has no text; skipped")
    if sheet.footer_line is None:
        sheet.warnings.append("no “Updated <Month YYYY> by …” line: no date or credit line")
    sheet.summary = make_summary(sheet.sections, sheet.fast_facts)
    _check_lengths(sheet)
    return sheet


# Markdown with front matter -------------------------------------------------------------------------

FRONT_MATTER_KEYS = {
    "slug", "title", "generic_name", "brand_names", "conditions", "summary", "credit_line", "updated_on",
    "committee", "change_note",
}
FRONT_MATTER_ALIASES = {
    "updated": "updated_on", "reviewed_by": "committee", "brands": "brand_names", "authors": "credit_line",
}
LIST_KEYS = {"brand_names", "conditions"}
SECTION_HEADING_RE = re.compile(r"^##\s+(?P<heading>.*?)(?:\s+\{#(?P<kind>[a-z_]+)\})?\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


def _scalar(raw: str, *, line: int) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImportParseError(f"badly quoted value {raw!r}", line=line) from exc
        if not isinstance(value, str):
            raise ImportParseError(f"expected text, got {raw!r}", line=line)
        return value
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw


def _inline_list(raw: str, *, line: int) -> list[str]:
    raw = raw.strip()
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise ImportParseError("a list in brackets must end with “]”", line=line)
        raw = raw[1:-1]
    items, buf, quote = [], "", None
    for char in raw:  # split on commas outside quotes
        if quote:
            buf += char
            if char == quote and not buf.endswith("\\" + quote):
                quote = None
        elif char in "\"'":
            quote = char
            buf += char
        elif char == ",":
            items.append(buf)
            buf = ""
        else:
            buf += char
    items.append(buf)
    return [_scalar(item, line=line) for item in items if item.strip()]


def parse_front_matter(lines: list[str], *, first_line: int = 2) -> dict:
    """A tiny YAML subset: `key: value`, `key: [a, b]` or `key:` followed by `  - item` lines, `#` comments.
    Quoted values are JSON strings (also valid YAML). Unknown keys are refused so typos surface."""
    data: dict = {}
    key = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s*-\s+(?P<value>.*)$", line)
        if item:
            if key is None or key not in LIST_KEYS or not isinstance(data.get(key), list):
                raise ImportParseError("a “- item” line must follow a list key such as “conditions:”", line=number)
            value = _scalar(item.group("value"), line=number)
            if value:
                data[key].append(value)
            continue
        match = re.match(r"^(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s+(?P<value>.*))?$", line)
        if not match:
            raise ImportParseError(f"expected “key: value” in the front matter, got {line.strip()!r}", line=number)
        key = match.group("key").lower().replace("-", "_")
        key = FRONT_MATTER_ALIASES.get(key, key)
        if key not in FRONT_MATTER_KEYS:
            raise ImportParseError(
                f"unknown front matter key {match.group('key')!r} (known: {', '.join(sorted(FRONT_MATTER_KEYS))})",
                line=number,
            )
        if key in data:
            raise ImportParseError(f"“{key}” is given twice", line=number)
        raw = (match.group("value") or "").strip()
        if key in LIST_KEYS:
            data[key] = _inline_list(raw, line=number) if raw else []
        else:
            data[key] = (_scalar(raw, line=number), number)
    return data


def parse_markdown(text: str) -> ParsedSheet:
    lines = text.split("\n")
    meta: dict = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                meta = parse_front_matter(lines[1:i], first_line=2)
                body_start = i + 1
                break
        else:
            raise ImportParseError("the front matter that starts on line 1 has no closing “---” line", line=1)

    title, title_line = (meta["title"] if "title" in meta else ("", None))
    fast_facts: list[str] = []
    sections: list[tuple[ParsedSection, list[str]]] = []
    current_lines: list[str] | None = None
    in_fast_facts = False
    in_fence = False
    fast_facts_seen = False
    footer = None
    footer_line = None
    preamble: list[str] = []
    preamble_line = None
    h1_seen = False

    for number, line in enumerate(lines[body_start:], start=body_start + 1):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        if not in_fence:
            at_top = not h1_seen and not sections and not in_fast_facts and not "".join(preamble).strip()
            if at_top and re.match(r"^#\s+\S", line):
                h1_seen = True  # the page title; the front matter's title wins when both are given
                if not title:
                    title, title_line = line.lstrip("#").strip(), number
                continue
            heading = SECTION_HEADING_RE.match(line)
            if heading:
                name = heading.group("heading").strip()
                if FAST_FACTS_RE.match(name):
                    if fast_facts_seen:
                        raise ImportParseError("a second “Fast Facts” heading", line=number)
                    fast_facts_seen = in_fast_facts = True
                    continue
                in_fast_facts = False
                kind = heading.group("kind")
                if kind is not None and kind not in SectionKind.values:
                    raise ImportParseError(
                        f"unknown section kind {{#{kind}}} (known: {', '.join(SectionKind.values)})", line=number
                    )
                if not name:
                    raise ImportParseError("a “##” heading without text", line=number)
                current_lines = []
                kind = kind or heading_kind(name) or SectionKind.OTHER
                sections.append((ParsedSection(kind=kind, heading=name, body="", line=number), current_lines))
                continue
            if not line.strip() and in_fast_facts:
                continue
            footer_match = match_footer(line, line=number) if line.strip().lower().startswith("updated") else None
            if footer_match:
                footer, footer_line = footer_match, number
                continue
            if line.strip() and (COPYRIGHT_RE.match(line) or DISCLAIMER_RE.search(line)):
                continue
            if in_fast_facts:
                bullet = BULLET_RE.match(line)
                if bullet:
                    fast_facts.append(bullet.group("text").strip())
                    continue
                if fast_facts and line[:1].isspace():
                    fast_facts[-1] += " " + line.strip()
                    continue
                if not fast_facts:
                    raise ImportParseError("under “## Fast Facts” every line must be a “- ” bullet", line=number)
                in_fast_facts = False  # a paragraph after the list: text before the first section is the overview
        if current_lines is None:
            if preamble_line is None and line.strip():
                preamble_line = number
            preamble.append(line)
        else:
            current_lines.append(line)

    if not title:
        raise ImportParseError("no title: give “title:” in the front matter or a “# Title” line", line=body_start + 1)
    generic_default, brands_default = split_title(title)
    parsed_sections = []
    if "\n".join(preamble).strip():
        overview = "\n".join(preamble).strip("\n")
        parsed_sections.append(ParsedSection(SectionKind.OVERVIEW, SectionKind.OVERVIEW.label, overview, preamble_line))
    for section, section_lines in sections:
        section.body = "\n".join(section_lines).strip("\n")
        if section.body.strip():
            parsed_sections.append(section)

    def value(key, default=""):
        return meta[key][0] if key in meta else default

    generic = value("generic_name", generic_default)
    sheet = ParsedSheet(
        title=title,
        generic_name=generic,
        brand_names=meta.get("brand_names", brands_default),
        slug=value("slug") or slugify(generic),
        fast_facts=fast_facts,
        sections=parsed_sections,
        conditions=meta.get("conditions", []),
        change_note=value("change_note"),
        source_format="markdown",
        title_line=title_line or 1,
    )
    if footer:
        sheet.updated_on, sheet.credit_line, sheet.committee_name = footer
        sheet.footer_line = footer_line
    if "credit_line" in meta:
        sheet.credit_line = value("credit_line")
    if "committee" in meta:
        sheet.committee_name = value("committee")
    if "updated_on" in meta:
        raw, line = meta["updated_on"]
        sheet.updated_on = parse_date(raw, line=line) if raw else None
    sheet.summary = value("summary") if "summary" in meta else make_summary(parsed_sections, fast_facts)
    _check_lengths(sheet)
    return sheet


# Writing Markdown (used by the exporter; here so the format lives in one module) --------------------


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_markdown(
    *, slug: str, title: str, generic_name: str, brand_names: list[str], conditions: list[str], summary: str,
    fast_facts: list[str], sections: list[tuple[str, str, str]], credit_line: str, updated_on: dt.date | None,
    committee: str, change_note: str = "",
) -> str:
    """A sheet as Markdown with front matter, in the form `parse_markdown` reads back unchanged."""
    out = ["---", f"slug: {slug}", f"title: {_quote(title)}", f"generic_name: {_quote(generic_name)}"]
    out.append("brand_names:" if brand_names else "brand_names: []")
    out += [f"  - {_quote(name)}" for name in brand_names]
    out.append("conditions:" if conditions else "conditions: []")
    out += [f"  - {_quote(name)}" for name in conditions]
    out.append(f"summary: {_quote(summary)}")
    out.append(f"credit_line: {_quote(credit_line)}")
    out.append(f"updated_on: {updated_on.isoformat() if updated_on else ''}".rstrip())
    out.append(f"committee: {_quote(committee)}")
    if change_note:
        out.append(f"change_note: {_quote(change_note)}")
    out += ["---", "", f"# {title}", ""]
    if fast_facts:
        out += ["## Fast Facts", ""] + [f"- {fact}" for fact in fast_facts] + [""]
    for kind, heading, body in sections:
        out += [f"## {heading} {{#{kind}}}", "", body, ""]
    return "\n".join(out)
