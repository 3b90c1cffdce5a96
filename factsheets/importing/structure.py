"""Helpers every parser shares: dates, credits, the title's names, the summary and the length checks."""

from __future__ import annotations

import datetime as dt
import re

from factsheets.content.markdown import strip_markdown
from factsheets.models import BODY_MAX_LENGTH, SectionKind
from factsheets.importing.rules import COPYRIGHT_RE, DISCLAIMER_RE, FOOTER_RE, MONTHS, SENTENCE_END_RE, TITLE_RE
from factsheets.importing.sheet import (
    CREDIT_MAX_LENGTH,
    HEADING_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    SUMMARY_TARGET_LENGTH,
    TITLE_MAX_LENGTH,
    ImportParseError,
    ParsedSection,
    ParsedSheet,
)


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


def parse_loose_date(value: str, *, line: int | None = None) -> dt.date:
    """A date as web pages print it: "01 April, 2015", "April 1, 2015", "March 2022", "2015-04-01"."""
    value = value.strip().rstrip(".")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    words = re.findall(r"[A-Za-z]+|\d+", value)
    month = next((MONTHS[w.lower()] for w in words if w.lower() in MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n > 1900]
    days = [n for n in numbers if n <= 31]
    if month is None or not years:
        raise ImportParseError(f"{value!r} is not a date I can read", line=line)
    try:
        return dt.date(years[0], month, days[0] if days else 1)
    except ValueError as exc:
        raise ImportParseError(f"{value!r} is not a real date", line=line) from exc


def split_title(title: str) -> tuple[str, list[str]]:
    """ "Generic (Brand1, Brand2)" -> ("Generic", ["Brand1", "Brand2"]); no brackets -> no brands."""
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
    """(updated_on, credit_line, committee_name) from an “Updated <Month YYYY> by …” line, or None. A short
    prefix ("Medication Information Updated …") is allowed; a copyright notice never ends up in the name."""
    text = re.sub(r"\s+", " ", text.strip())
    start = re.search(r"\bupdated\b", text, re.IGNORECASE)
    if start is None or len(text[: start.start()].split()) > 4:
        return None
    text = re.split(r"\s*(?:©|\(c\)\s|copyright\b)", text[start.start() :], maxsplit=1, flags=re.IGNORECASE)[0]
    match = FOOTER_RE.match(text)
    if not match:
        return None
    updated_on = parse_month_year(match.group("month"), match.group("year"), line=line)
    committee = (match.group("committee") or "").strip()
    # The committee's name ends at its own sentence: "… Committee on X. This sheet is …" keeps "Committee on X".
    committee = re.split(r"\.\s+(?=[A-Z])", committee, maxsplit=1)[0].strip().rstrip(".")
    return updated_on, match.group("authors").strip().rstrip(","), committee


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
