"""The parsed sheet: what a file says, before anything touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from factsheets.content import languages

MAX_FILE_BYTES = 1024 * 1024  # a fact sheet is a few kilobytes; anything near a megabyte is not one
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
SUMMARY_MAX_LENGTH = 1000  # FactSheetRevision.summary
SUMMARY_TARGET_LENGTH = 300  # "one or two plain sentences"
TITLE_MAX_LENGTH = 200
CREDIT_MAX_LENGTH = 300
HEADING_MAX_LENGTH = 200
MARKDOWN_SUFFIXES = {".md", ".markdown"}


class ImportParseError(Exception):
    """The file cannot be imported; `line` (1-based) points at the cause when there is one."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


# What a file may call its language: the code, or the language's English or own name.
LANGUAGE_NAMES = {
    **{code: code for code in languages.Language.values},
    **{label.lower(): code for code, label in languages.Language.choices},
    **{name.lower(): code for code, name in languages.NATIVE_NAMES.items()},
    "espanol": languages.Language.SPANISH,
}


def language_of(value: str, *, line: int | None = None) -> str:
    """The language code a file's `language` names (“es”, “Spanish”, “Español”); refused unless enabled."""
    code = LANGUAGE_NAMES.get(value.strip().lower())
    if code is None:
        enabled = ", ".join(f"{c} ({label})" for c, label in languages.Language.choices)
        raise ImportParseError(
            f"language “{value.strip()[:40]}” is not one fact sheets are published in: {enabled}", line=line
        )
    return code


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
    # The drug codes the file gives ({"rxnorm": [...], "atc": [...], "ndc": [...]}), or None when it says
    # nothing about them (text and HTML pages never do).
    codes: dict | None = None
    # The edition the file is in (a translation is imported as the next version of that edition of an existing
    # sheet) and, for a translation, the number of the English version the file says it translates.
    language: str = languages.SOURCE
    translates_version: int | None = None

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
            **({"codes": {k: list(v) for k, v in self.codes.items()}} if self.codes is not None else {}),
        }


def file_shaped_content(revision) -> dict:
    """`revision`'s canonical content in the shape of `ParsedSheet.canonical_content()`: conditions by name,
    without the form tag and the edition (language, English version translated), which a file states apart."""
    words = revision.canonical_content(revision.HASH_VERSION)
    words["conditions"] = [c["name"] for c in words["conditions"]]
    for key in ("canonical_form", "language", "translation_of"):
        words.pop(key, None)
    return words
