"""Plain text in the layout of the society's web pages (see docs/importing.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass


from factsheets.models import SectionKind
from factsheets.importing.rules import (
    DATE_LINE_RE,
    REVIEWED_BY_RE,
    BULLET_RE,
    FAST_FACTS_RE,
    FOOTER_RE,
    SENTENCE_END_RE,
    _SPLIT_RES,
    heading_kind,
)
from factsheets.importing.sheet import HEADING_MAX_LENGTH, ImportParseError, ParsedSection, ParsedSheet
from factsheets.importing.header import take_header
from factsheets.importing.structure import _check_lengths, _is_boilerplate, make_summary, match_footer, parse_loose_date


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
    for block in _metadata_apart(_one_paragraph_per_line(blocks)):
        first = block.lines[0].strip()
        if len(block.lines) > 1 and (FAST_FACTS_RE.match(first) or heading_kind(first)):
            split.append(_Block(block.lines[:1], block.line, block.blank_before))
            split.append(_Block(block.lines[1:], block.line + 1, 0))
        else:
            split.append(block)
    return split


LONG_LINE = 100  # hard-wrapped text keeps its lines shorter; a longer line is a whole paragraph


def _one_paragraph_per_line(blocks: list[_Block]) -> list[_Block]:
    """Text saved with one paragraph per line and no blank lines between (and headings as bare short lines
    among them) becomes one block per line; a run of bullet lines stays one list."""
    out: list[_Block] = []
    for block in blocks:
        if len(block.lines) < 2 or max(len(line) for line in block.lines) <= LONG_LINE:
            out.append(block)
            continue
        run: list[str] = []
        start, blank = block.line, block.blank_before
        for offset, line in enumerate(block.lines):
            is_item = bool(BULLET_RE.match(line)) and not line.rstrip().endswith("?")
            if run and is_item and BULLET_RE.match(run[-1]):
                run.append(line)
                continue
            if run:
                out.append(_Block(run, start, blank))
                blank = 0
            run, start = [line], block.line + offset
        out.append(_Block(run, start, blank))
    return out


def _starts_metadata(line: str) -> bool:
    line = line.strip()
    if not (line[:1].isupper() or line[:1] in "©("):  # a wrapped sentence goes on in lower case: not a new line
        return False
    return bool(
        DATE_LINE_RE.match(line)
        or REVIEWED_BY_RE.match(line)
        or _is_boilerplate(line)
        or re.match(r"Updated\s+[A-Za-z]+\.?\s+\d{4}\s+by\b", line)
    )


def _metadata_apart(blocks: list[_Block]) -> list[_Block]:
    """A date, credit or copyright line starts a block of its own even without a blank line before it, so
    "Last update: 12 March 2021" under the last paragraph is read as a date, not as that paragraph's end.
    A date line is whole on one line; a credit may wrap onto the next lines."""
    out: list[_Block] = []
    for block in blocks:
        run, start, blank = [], block.line, block.blank_before
        for offset, line in enumerate(block.lines):
            after_date = bool(run) and DATE_LINE_RE.match(run[-1].strip())
            if run and (_starts_metadata(line) or after_date):
                out.append(_Block(run, start, blank))
                run, start, blank = [], block.line + offset, 0
            run.append(line)
        out.append(_Block(run, start, blank))
    return out


def _looks_like_heading(block: _Block) -> bool:
    """A short single line without closing punctuation, starting with a letter: an unknown heading."""
    if len(block.lines) != 1:
        return False
    bullet = BULLET_RE.match(block.lines[0])
    if bullet and not block.text.endswith("?"):  # "• How is it given?" is a heading; other bullets are not
        return False
    text = bullet.group("text") if bullet else block.text
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


def _until_boilerplate(block: _Block) -> _Block:
    for offset, line in enumerate(block.lines[1:], start=1):
        if _is_boilerplate(line.strip()):
            return _Block(block.lines[:offset], block.line, block.blank_before)
    return block


def _truncated(block: _Block) -> bool:
    """A paragraph of several words that stops on a letter: the source was probably cut off ("or blee")."""
    text = block.text.strip()
    return (
        not BULLET_RE.match(block.lines[-1])
        and len(text.split()) >= 6
        and text[-1:].isalpha()
        and not text.endswith(":")
    )


def _split_kind(block: _Block) -> str | None:
    first_sentence = SENTENCE_END_RE.split(block.text, maxsplit=1)[0]
    for pattern, kind in _SPLIT_RES:
        if pattern.search(first_sentence):
            return kind
    return None


def parse_text(text: str, *, title: str = "", slug: str = "") -> ParsedSheet:
    blocks = _blocks(text)
    if not blocks:
        raise ImportParseError("the file is empty")

    sheet, blocks = take_header(blocks, block_type=_Block, title=title, slug=slug)
    index = 0
    # Tagline: a heading-like line right after the title that is lowercase or followed by another heading.
    if (
        blocks
        and _looks_like_heading(blocks[0])
        and not FAST_FACTS_RE.match(blocks[0].text)
        and not heading_kind(blocks[0].text)
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

        own = _until_boilerplate(block)
        if own is not block:  # "© 2023 …" right under the footer: its own line, never part of a name
            blocks.insert(index, _Block(block.lines[len(own.lines) :], block.line + len(own.lines), 0))
            block, text_ = own, own.text
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
        date_line = DATE_LINE_RE.match(text_) if len(block.lines) == 1 else None
        if date_line:  # "Last update: 12 March 2021": the date, unless a footer "Updated … by …" gives one
            if sheet.footer_line is None:
                sheet.updated_on = parse_loose_date(date_line.group("date"), line=block.line)
            continue
        reviewed_by = REVIEWED_BY_RE.match(text_) if len(block.lines) == 1 else None
        if reviewed_by and not sheet.committee_name:  # a credit on its own line: "Reviewed by the … Committee."
            sheet.committee_name = reviewed_by.group("committee").strip()
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
            start(kind, BULLET_RE.sub(r"\g<text>", text_).strip().rstrip(":"), block.line)
            continue
        if _looks_like_heading(block) and following is not None and not match_footer(following.text):
            start(SectionKind.OTHER, BULLET_RE.sub(r"\g<text>", text_).strip().rstrip(":"), block.line)
            continue
        if _truncated(block):
            sheet.warnings.append(
                f"line {block.line}: the paragraph ends without punctuation (“…{text_[-30:]}”); "
                "the text may be cut off: check the source"
            )

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
        sheet.warnings.append(
            "no “Updated <Month YYYY> by …” line: no credit line" + ("" if sheet.updated_on else " and no date")
        )
    sheet.summary = make_summary(sheet.sections, sheet.fast_facts)
    _check_lengths(sheet)
    return sheet
