"""The top of a plain-text sheet: the title and names, past the page chrome other sites put above them.

A web page saved as text often starts with a breadcrumb ("• Treatments"), a banner, a date line or a
label ("Brand Name (s)") before the drug's name. Those lines are skipped (and reported), date lines and
label/value pairs are used, and the first remaining title-shaped line is the title. When anything was
skipped, the title must also be confirmed (its drug named again in the body, or by a "Generic name"
label); otherwise the file is refused with what to add, because a wrong title becomes a permanent slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from factsheets.importing.rules import (
    BULLET_RE,
    DATE_LINE_RE,
    FAST_FACTS_RE,
    TRADEMARK_RE,
    heading_kind,
    is_chrome,
    label_of,
)
from factsheets.content import languages
from factsheets.importing.sheet import TITLE_MAX_LENGTH, ImportParseError, ParsedSheet, language_of
from factsheets.importing.structure import match_footer, parse_loose_date, split_title

UNSURE_HINT = (
    'give the title with --title "Generic (Brand)" (and --slug if needed), or start the file with a front-matter '
    "block (---, title: …, slug: …, ---)"
)
# Lines a translator adds on purpose (which edition the file is): not page chrome, so no reason to doubt the title.
EDITION_LABELS = {"language", "translates_version"}


@dataclass
class Header:
    labels: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    date: tuple | None = None  # (date, line)


def _names(value: str) -> list[str]:
    return [TRADEMARK_RE.sub("", name).strip() for name in re.split(r"[,;/]|\band\b", value) if name.strip(" ®™")]


def _title_shaped(line: str) -> bool:
    text = line.strip()
    return bool(
        text
        and len(text) <= TITLE_MAX_LENGTH
        and len(text.split()) <= 12
        and not BULLET_RE.match(line)
        and not FAST_FACTS_RE.match(text)
        and not heading_kind(text)
        and not match_footer(text)
        and not text.endswith((".", ",", ";", ":", "?", "!"))
        and text[:1].isalnum()
    )


def _echoed(generic: str, body: str) -> bool:
    word = re.split(r"[\s(]", generic.strip(), maxsplit=1)[0].lower()
    return len(word) >= 4 and len(re.findall(rf"\b{re.escape(word)}\b", body.lower())) >= 1


def take_header(blocks: list, *, block_type, title: str = "", slug: str = "") -> tuple[ParsedSheet, list]:
    """(the sheet with its names, the blocks after the header)."""
    header = Header()
    found, found_line, lines_seen = "", None, []
    pending_label = None  # a label whose value is on the next line
    rest: list = []
    first_line = blocks[0].line if blocks else 1
    for index, block in enumerate(blocks):
        leftover = []
        for offset, raw in enumerate(block.lines):
            number, line = block.line + offset, raw.strip()
            if leftover:
                leftover.append(raw)
                continue
            if pending_label:
                header.labels[pending_label] = line
                pending_label = None
                continue
            label = label_of(line)
            if label:
                key, value = label
                if value:
                    header.labels[key] = value
                else:
                    pending_label = key
                continue
            if is_chrome(line):
                date_line = DATE_LINE_RE.match(BULLET_RE.sub(r"\g<text>", line))
                if date_line and header.date is None:
                    header.date = (parse_loose_date(date_line.group("date"), line=number), number)
                header.skipped.append((number, line))
                continue
            if title and line.lower() == title.lower():  # the line --title names: the title, whatever came before
                if found:
                    header.skipped.append((found_line, found))
                found, found_line = line, number
                continue
            if not found and _title_shaped(raw):
                found, found_line = line, number
                lines_seen.append(line)
                continue
            leftover = [raw]
            leftover_line = number
        if leftover:
            rest = [block_type(leftover, leftover_line, 0 if leftover_line != block.line else block.blank_before)]
            rest += blocks[index + 1 :]
            break
    body = "\n".join(" ".join(b.lines) for b in rest)

    labelled = header.labels.get("generic_name", "")
    if title:
        if found and found.lower() != title.lower():
            header.skipped.append((found_line, found))
        found, found_line = title, found_line or first_line
    elif not found:
        raise ImportParseError(
            "no title: the first line should be the drug name, like “Generic (Brand1, Brand2)”; " + UNSURE_HINT,
            line=first_line,
        )
    elif (header.skipped or set(header.labels) - EDITION_LABELS) and not (
        _echoed(found, body) or (labelled and _echoed(labelled, found))
    ):
        raise ImportParseError(
            f"not sure “{found}” is the title (page lines were skipped above it and the body never names it); "
            + UNSURE_HINT,
            line=found_line,
        )
    generic, brands = split_title(found)
    if labelled:
        generic = TRADEMARK_RE.sub("", labelled).strip()
    if header.labels.get("brand_names"):
        brands = _names(header.labels["brand_names"])
    sheet = ParsedSheet(
        title=found, generic_name=generic, brand_names=brands, slug=slug or slugify(generic), title_line=found_line
    )
    if header.labels.get("conditions"):
        sheet.conditions = _names(header.labels["conditions"])
    if header.labels.get("language"):
        sheet.language = language_of(header.labels["language"], line=found_line)
    if header.labels.get("translates_version"):
        number = re.sub(r"^(english\s+)?(version\s+)?", "", header.labels["translates_version"].strip().lower())
        if not languages.is_translation(sheet.language) or not re.fullmatch(r"[1-9][0-9]{0,8}", number):
            raise ImportParseError(
                "a “Translates version: N” line needs a translation's “Language:” line and an English version number",
                line=found_line,
            )
        sheet.translates_version = int(number)
    if header.labels.get("drug_class"):
        sheet.warnings.append(f"drug class “{header.labels['drug_class']}”: no field for it; not imported")
    if header.date:  # a footer "Updated … by …" line, when there is one, wins
        sheet.updated_on = header.date[0]
    for number, line in header.skipped:
        sheet.warnings.append(f"line {number}: skipped page chrome “{line}”")
    return sheet, rest
