"""Markdown with front matter: what the exporter writes and what a person can write by hand."""

from __future__ import annotations

import datetime as dt
import json
import re

import yaml
from django.core.exceptions import ValidationError

from django.utils.text import slugify

from factsheets.models import SectionKind
from factsheets.content.codes import parse_code_list
from factsheets.importing.rules import BULLET_RE, COPYRIGHT_RE, DISCLAIMER_RE, FAST_FACTS_RE, heading_kind
from factsheets.content import languages
from factsheets.importing.sheet import ImportParseError, ParsedSection, ParsedSheet, language_of
from factsheets.importing.structure import _check_lengths, make_summary, match_footer, parse_date, split_title

# The drug codes of a version (signed content, factsheets.content.codes): written by the export when a version has
# any, so that an export imports back to the same content hash.
DRUG_CODE_KEYS = ("rxnorm", "atc", "ndc")
FRONT_MATTER_KEYS = {
    "slug",
    "title",
    "generic_name",
    "brand_names",
    "conditions",
    "summary",
    "credit_line",
    "updated_on",
    "committee",
    "change_note",
    "language",
    "translates_version",
    *DRUG_CODE_KEYS,
}
FRONT_MATTER_ALIASES = {
    "updated": "updated_on",
    "reviewed_by": "committee",
    "brands": "brand_names",
    "authors": "credit_line",
    "translates": "translates_version",
}
LIST_KEYS = {"brand_names", "conditions", *DRUG_CODE_KEYS}
SECTION_HEADING_RE = re.compile(r"^##\s+(?P<heading>.*?)(?:\s+\{#(?P<kind>[a-z_]+)\})?\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


def _text(node, *, key: str, line: int) -> str:
    """A scalar front-matter value as text; YAML's dates and numbers as written."""
    if not isinstance(node, yaml.ScalarNode):
        raise ImportParseError(f"“{key}” must be text, not a list or a mapping", line=line)
    value = yaml.safe_load(yaml.serialize(node))
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, str) else str(node.value)


def parse_front_matter(lines: list[str], *, first_line: int = 2) -> dict:
    """The front matter, read as YAML (PyYAML, safe). Scalars come back as (text, line), list keys as lists.
    Unknown and repeated keys are refused with their line, so a typo surfaces instead of being ignored."""
    try:
        root = yaml.compose("\n".join(lines), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ImportParseError(
            f"the front matter is not valid YAML ({problem}); quote values that contain “: ” or “ #”",
            line=first_line + mark.line if mark else first_line,
        ) from exc
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ImportParseError("the front matter must be “key: value” lines", line=first_line)
    data: dict = {}
    for key_node, value_node in root.value:
        number = first_line + key_node.start_mark.line
        key = str(key_node.value).lower().replace("-", "_")
        key = FRONT_MATTER_ALIASES.get(key, key)
        if key not in FRONT_MATTER_KEYS:
            raise ImportParseError(
                f"unknown front matter key {key_node.value!r} (known: {', '.join(sorted(FRONT_MATTER_KEYS))})",
                line=number,
            )
        if key in data:
            raise ImportParseError(f"“{key}” is given twice", line=number)
        if key not in LIST_KEYS:
            data[key] = (_text(value_node, key=key, line=number), number)
        elif isinstance(value_node, yaml.SequenceNode):
            items = [_text(item, key=key, line=first_line + item.start_mark.line) for item in value_node.value]
            data[key] = [item for item in items if item]
        else:  # "brand_names: One, Two" written on one line
            data[key] = [item.strip() for item in _text(value_node, key=key, line=number).split(",") if item.strip()]
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

    title, title_line = meta["title"] if "title" in meta else ("", None)
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
    if any(key in meta for key in DRUG_CODE_KEYS):
        sheet.codes = {key: _codes(key, meta.get(key, []), line=title_line or 1) for key in DRUG_CODE_KEYS}
    if "credit_line" in meta:
        sheet.credit_line = value("credit_line")
    if "committee" in meta:
        sheet.committee_name = value("committee")
    if "updated_on" in meta:
        raw, line = meta["updated_on"]
        sheet.updated_on = parse_date(raw, line=line) if raw else None
    _read_edition(sheet, meta)
    sheet.summary = value("summary") if "summary" in meta else make_summary(parsed_sections, fast_facts)
    _check_lengths(sheet)
    return sheet


def _read_edition(sheet: ParsedSheet, meta: dict) -> None:
    """`language` (default English) and, for a translation, `translates_version` (a positive whole number)."""
    if "language" in meta:
        raw, line = meta["language"]
        sheet.language = language_of(raw, line=line)
    if "translates_version" in meta:
        raw, line = meta["translates_version"]
        if not languages.is_translation(sheet.language):
            raise ImportParseError(
                "“translates_version” is only for a translation: give its “language” (e.g. language: es)", line=line
            )
        if not re.fullmatch(r"[1-9][0-9]{0,8}", raw.strip()):
            raise ImportParseError(
                f"“translates_version” must be the number of an English version (1, 2, ...), not “{raw[:40]}”",
                line=line,
            )
        sheet.translates_version = int(raw)


def _codes(system: str, items: list[str], *, line: int) -> list[str]:
    try:
        return parse_code_list(system, "\n".join(items))
    except ValidationError as error:
        raise ImportParseError(f"front matter “{system}”: {' '.join(error.messages)}", line=line) from error


# Writing Markdown (used by the exporter; here so the format lives in one module) --------------------


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_markdown(
    *,
    slug: str,
    title: str,
    generic_name: str,
    brand_names: list[str],
    conditions: list[str],
    summary: str,
    fast_facts: list[str],
    sections: list[tuple[str, str, str]],
    credit_line: str,
    updated_on: dt.date | None,
    committee: str,
    change_note: str = "",
    codes: dict | None = None,
    language: str = languages.SOURCE,
    translates_version: int | None = None,
) -> str:
    """A sheet as Markdown with front matter, in the form `parse_markdown` reads back unchanged. The language is
    always written; a translation also says which English version it translates."""
    out = ["---", f"slug: {slug}", f"language: {language}"]
    if translates_version is not None:
        out.append(f"translates_version: {translates_version}")
    out += [f"title: {_quote(title)}", f"generic_name: {_quote(generic_name)}"]
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
    for system in DRUG_CODE_KEYS:
        if (codes or {}).get(system):
            out.append(f"{system}:")
            out += [f"  - {_quote(code)}" for code in codes[system]]
    out += ["---", "", f"# {title}", ""]
    if fast_facts:
        out += ["## Fast Facts", ""] + [f"- {fact}" for fact in fast_facts] + [""]
    for kind, heading, body in sections:
        out += [f"## {heading} {{#{kind}}}", "", body, ""]
    return "\n".join(out)
