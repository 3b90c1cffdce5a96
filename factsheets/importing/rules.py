"""The tables and patterns that recognise a fact sheet's parts: headings, footers, chrome, labels.
Extend a table here to teach the importer a new layout; the parsers hold no literal wording."""

from __future__ import annotations

import re

from ..models import SectionKind

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


def _normalise_heading(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().strip(":?").strip()).lower()


def heading_kind(line: str) -> str | None:
    """The section kind of a known heading, or None."""
    normal = _normalise_heading(line)
    for pattern, kind in _HEADING_RES:
        if pattern.fullmatch(normal):
            return kind
    return None

