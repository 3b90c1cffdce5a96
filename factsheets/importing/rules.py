"""The tables and patterns that recognise a fact sheet's parts: headings, footers, chrome, labels.
Extend a table here to teach the importer a new layout; the parsers hold no literal wording."""

from __future__ import annotations

import re

from factsheets.models import SectionKind

# Known headings -> section kind. Each pattern must match the whole heading, lowercased, with
# surrounding punctuation (":", "?") removed. Add a line here to teach the importer a new heading.
HEADING_KINDS: list[tuple[str, str]] = [
    (r"overview|introduction|about (this|the) (medicine|medication|drug)|what is it( used for)?", SectionKind.OVERVIEW),
    (
        r"how (it|this medicine|the medicine|the drug) works?|how does it work|mechanism( of action)?",
        SectionKind.HOW_IT_WORKS,
    ),
    (
        r"dose|doses|dosing|dosage|usual dose|dos(e|ing|age) and administration"
        r"|how (to take|is it taken|it is taken)( it)?",
        SectionKind.DOSING,
    ),
    (
        r"time to effect|how (long|soon|quickly) (does|will|until) it .*|when will it (start to )?work",
        SectionKind.TIME_TO_EFFECT,
    ),
    (r"(possible |common )?side effects?", SectionKind.SIDE_EFFECTS),
    (
        r"(drug |medicine |medication )?interactions?( with other (medicines|medications|drugs))?",
        SectionKind.INTERACTIONS,
    ),
    (r"precautions?|warnings?( and precautions)?|cautions?|safety", SectionKind.PRECAUTIONS),
    (r"pregnancy.*|breast-?feeding.*|fertility.*", SectionKind.PREGNANCY),
    (r"vaccines?|vaccinations?|immuni[sz]ations?", SectionKind.VACCINES),
    (r"storage.*|storing .*|how (to|do i|should i) store .*", SectionKind.STORAGE),
    # Question headings of other publishers' pages ("How do I take it?", "What about side effects?").
    (
        r"what (is|are) (it|this medicine|\S+)( used for)?|why (is|am) (it|i) (used|prescribed|taking it)",
        SectionKind.OVERVIEW,
    ),
    (r"how (does|do) (it|this medicine|\S+) work", SectionKind.HOW_IT_WORKS),
    (
        r"how (do|should) i (take|use|inject) (it|this medicine|\S+)|how (is|are) (it|\S+) (taken|given|administered|used)"
        r"|how much (should i take|is taken)",
        SectionKind.DOSING,
    ),
    (
        r"(what about |what are the (possible )?)side effects|what side effects .*|are there (any )?side effects",
        SectionKind.SIDE_EFFECTS,
    ),
    (
        r"can i (take|use) (it|\S+) with other (medicines|medications|drugs)|what about other (medicines|medications)",
        SectionKind.INTERACTIONS,
    ),
    (r"(what about|can i .*) (pregnancy|breast-?feeding).*|(pregnancy|breast-?feeding) and .*", SectionKind.PREGNANCY),
    (r"(what about|can i have) (vaccines?|vaccinations?).*", SectionKind.VACCINES),
    (r"how (do|should) i store (it|\S+)", SectionKind.STORAGE),
    (
        r"information to discuss with (your )?(health ?care providers?|doctors?)|what to (discuss|tell) .*"
        r"|things to (discuss|tell) .*|questions? (for|to ask) your (doctor|health ?care providers?)",
        SectionKind.DISCUSS,
    ),
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

MONTHS = {
    name.lower(): i
    for i, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
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
    bullet = BULLET_RE.match(line)  # "• How is it given?": a bulleted question is a heading too
    line = bullet.group("text") if bullet else line
    return re.sub(r"\s+", " ", line.strip().strip(":?").strip()).lower()


def heading_kind(line: str) -> str | None:
    """The section kind of a known heading, or None."""
    normal = _normalise_heading(line)
    for pattern, kind in _HEADING_RES:
        if pattern.fullmatch(normal):
            return kind
    return None


# Page chrome: lines of a web page that are not the sheet (breadcrumbs, banners, menus, date lines).
# They are skipped above the title and reported, never used as a title or a slug.
CHROME_WORDS_RE = re.compile(
    r"^(home|treatments?|medications?|medicines?|drugs?|medication information|drug information|"
    r"patient (information|resources)|resources|menu|search|print|share|email|back to top|"
    r"skip to (main )?content|a-z|drugs a-z|conditions|diseases? (and|&) conditions|donate|log ?in|sign up)$",
    re.IGNORECASE,
)
BANNER_RE = re.compile(r"\b(click here|cookies?|subscribe|newsletter|sign up|donate|latest .* information)\b", re.I)
BREADCRUMB_RE = re.compile(r"\s(>|»|/|›|\|)\s")
_DAY_MONTH_YEAR = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]{3,9}\.?,?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4}|\d{4}-\d{2}-\d{2}"
)
# "Last Update : 01 April, 2015", "Updated March 2022", "Medication Information Updated March 2022", "Reviewed: 2019-05-01"
DATE_LINE_RE = re.compile(
    rf"^(?P<prefix>(?:[A-Z]\w*\s+){{0,4}}?)(?:[Ll]ast\s+)?(?:[Uu]pdated?|[Rr]eviewed|[Rr]evised)(?:\s+on)?\s*:?\s*"
    rf"(?P<date>{_DAY_MONTH_YEAR})\.?$",
)
# A credit on its own line names a body ("… Committee", "… Board"), so "reviewed by your doctor" is text.
REVIEWED_BY_RE = re.compile(
    r"^(?:[Aa]nd\s+)?[Rr]eviewed\s+by\s+(?:the\s+)?"
    r"(?P<committee>[^©.]*\b(?:Committee|Board|Panel|Council|Society|College|Association)\b[^©.]*?)\.?$"
)

# Label/value blocks ("Brand Name(s)" on one line, "Enbrel®, Brenzys®" on the next, or "Label: value").
# Label (lowercased, spaces collapsed, ":" removed) -> the field it fills. "drug_class" has no field:
# it is reported, not imported.
LABELS: list[tuple[str, str]] = [
    (r"brand names? ?(\(s\))?|brands?|trade names? ?(\(s\))?", "brand_names"),
    (r"generic names? ?(\(s\))?|generic|active (ingredient|substance)", "generic_name"),
    (r"drug class(es)?|class of (drug|medicine)|type of (drug|medicine)", "drug_class"),
    (r"used for|used to treat|conditions?( treated)?|arthritis types?|diseases? treated|indications?", "conditions"),
    # The edition of a translated page ("Language: es", "Idioma: Español") and the English version it translates.
    (r"language|idioma", "language"),
    (r"translates( english)?( version)?|translation of( english)?( version)?", "translates_version"),
]
_LABEL_RES = [(re.compile(pattern), key) for pattern, key in LABELS]
TRADEMARK_RE = re.compile(r"[®™©]")


def label_of(line: str) -> tuple[str, str] | None:
    """("brand_names", value) for a label line ("Brand Name (s)" or "Brand names: Examplex"), else None.
    The value is "" when it is on the next line."""
    head, sep, value = line.strip().partition(":")
    normal = re.sub(r"\s+", " ", head.strip().strip("?")).lower()
    for pattern, key in _LABEL_RES:
        if pattern.fullmatch(normal):
            return key, value.strip() if sep else ""
    return None


def is_chrome(line: str) -> bool:
    text = line.strip()
    bare = BULLET_RE.match(text)
    if bare and len(bare.group("text").split()) <= 4:  # "• Treatments": a breadcrumb or menu item
        return True
    text = bare.group("text") if bare else text
    return bool(
        CHROME_WORDS_RE.match(text.strip(" .:|"))
        or (BANNER_RE.search(text) and len(text.split()) <= 20)
        or (BREADCRUMB_RE.search(text) and len(text.split()) <= 12)
        or DATE_LINE_RE.match(text)
    )
