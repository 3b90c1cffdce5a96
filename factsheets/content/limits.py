"""The content limits of a fact sheet version, defined once.

The model fields and `FactSheetRevision.clean()` use these, so the admin, the importer, `full_clean()`
in a shell and the workflow (submission and imported publication refuse a version outside them) all
apply the same numbers with the same messages. They also bound the work done on a version: Markdown
rendering, sanitising, jargon marks, reading scores and the word diff all run in time roughly linear
in the text, and these sizes keep the worst case within a couple of seconds (bench/content.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError

TITLE_MAX_LENGTH = 200
HEADING_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 1000
CREDIT_LINE_MAX_LENGTH = 300
CHANGE_NOTE_MAX_LENGTH = 2000
FAST_FACTS_MAX_ITEMS = 12
FAST_FACT_MAX_LENGTH = 300
SECTIONS_MAX = 30
SECTION_BODY_MAX_LENGTH = 20_000
# Everything a patient reads in one version (title, names, summary, fast facts, credit line, headings and bodies).
VERSION_MAX_LENGTH = 100_000
# Lists and quotes nested deeper than this are refused: the renderer would silently drop what lies deeper.
MARKDOWN_MAX_NESTING = 8

# Line breaks of every kind, including the Unicode ones a paste from a word processor can carry.
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def single_line(value) -> None:
    """A title or heading is one line: a line break would split email subjects and page titles."""
    if isinstance(value, str) and _LINE_BREAK.search(value):
        raise ValidationError("This must be a single line: remove the line break.", code="line_break")


def fast_facts_problems(value) -> list[ValidationError]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return [ValidationError("Fast facts must be a list of short statements (text).", code="invalid_fast_facts")]
    problems = []
    if len(value) > FAST_FACTS_MAX_ITEMS:
        problems.append(
            ValidationError(
                f"There are {len(value)} fast facts; the Fast Facts box holds at most {FAST_FACTS_MAX_ITEMS}.",
                code="too_many_fast_facts",
            )
        )
    for number, item in enumerate(value, start=1):
        if len(item) > FAST_FACT_MAX_LENGTH:
            problems.append(
                ValidationError(
                    f"Fast fact {number} has {len(item)} characters; keep each to {FAST_FACT_MAX_LENGTH} or fewer.",
                    code="fast_fact_too_long",
                )
            )
        if _LINE_BREAK.search(item):
            problems.append(
                ValidationError(
                    f"Fast fact {number} contains a line break; write each fact on one line.", code="line_break"
                )
            )
    return problems


def version_length(*, title="", names=(), summary="", fast_facts=(), credit_line="", sections: Iterable = ()) -> int:
    """Characters a patient reads in a version; `names` are the generic and brand names as written,
    `sections` are (heading, body) pairs."""
    total = len(title or "") + len(summary or "") + len(credit_line or "")
    total += sum(len(name or "") for name in names)
    total += sum(len(str(fact)) for fact in fast_facts or [])
    total += sum(len(heading or "") + len(body or "") for heading, body in sections)
    return total


def version_problems(
    *, title="", names=(), summary="", fast_facts=(), credit_line="", sections: Iterable = ()
) -> list[ValidationError]:
    """Limits of the version as a whole: the number of sections and its total length."""
    sections = list(sections)
    problems = []
    if len(sections) > SECTIONS_MAX:
        problems.append(
            ValidationError(
                f"This version has {len(sections)} sections; a fact sheet has at most {SECTIONS_MAX}.",
                code="too_many_sections",
            )
        )
    length = version_length(
        title=title, names=names, summary=summary, fast_facts=fast_facts, credit_line=credit_line, sections=sections
    )
    if length > VERSION_MAX_LENGTH:
        problems.append(
            ValidationError(
                f"This version is {length:,} characters long in all; a fact sheet holds at most "
                f"{VERSION_MAX_LENGTH:,}. Shorten it or split the information.",
                code="version_too_long",
            )
        )
    return problems
