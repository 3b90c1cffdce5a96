"""A saved web page of an old site: the main content, then the Markdown rules over its structure.

The page's main content is `<main>`, `<article>` or `[role=main]` when the site marks it; otherwise
readability-lxml picks it. Navigation, breadcrumbs, sidebars, cookie banners and the site footer are
dropped (the footer is still searched for an "Updated … by …" credit line). The content becomes
Markdown: `h1` the title, `h2`-`h4` sections, `p`, `ul`/`ol` lists, `strong`/`em` kept as emphasis; a
label paragraph ("Brand name(s): …", or a `dt`/`dd` pair) fills the names. Then `parse_markdown`
applies the same rules as to a Markdown file, so both formats agree.
"""

from __future__ import annotations

import json
import re

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import Unparseable

from factsheets.importing.header import UNSURE_HINT, _names
from factsheets.importing.markdown import parse_markdown
from factsheets.importing.rules import DATE_LINE_RE, TRADEMARK_RE, is_chrome, label_of
from factsheets.content import languages
from factsheets.importing.sheet import ImportParseError, ParsedSheet, language_of
from factsheets.importing.structure import match_footer, parse_loose_date

HTML_SUFFIXES = {".html", ".htm"}
DROP_TAGS = ("script", "style", "noscript", "form", "iframe", "svg", "button", "nav", "aside")
CHROME_ATTR_RE = re.compile(
    r"breadcrumb|cookie|consent|banner|sidebar|share|social|menu|\bnav|newsletter|related|skip|promo|advert",
    re.IGNORECASE,
)
MAIN_XPATH = "//main | //article | //*[@role='main']"


def looks_like_html(text: str) -> bool:
    return bool(re.match(r"\s*(<!doctype html|<html|<head|<body)", text, re.IGNORECASE))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _inline(element) -> str:
    """An element's text as Markdown: emphasis kept, links as their text, nothing else."""
    out = [element.text or ""]
    for child in element:
        inner = _inline(child)
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("strong", "b") and inner.strip():
            out.append(f"**{inner.strip()}**")
        elif tag in ("em", "i") and inner.strip():
            out.append(f"_{inner.strip()}_")
        elif tag == "br":
            out.append(" ")
        else:
            out.append(inner)
        out.append(child.tail or "")
    return _clean("".join(out))


def _main(doc):
    found = doc.xpath(MAIN_XPATH)
    if found:
        return found[0]
    try:
        summary = Document(etree.tostring(doc, encoding="unicode")).summary(html_partial=True)
        return lxml.html.fromstring(summary)
    except (Unparseable, etree.ParserError, ValueError) as exc:
        raise ImportParseError(
            "cannot find the page's main content (no <main> or <article>, and readability found none)"
        ) from exc


def _is_chrome_element(element) -> bool:
    attrs = " ".join(filter(None, (element.get("class"), element.get("id"), element.get("role"))))
    return bool(attrs and CHROME_ATTR_RE.search(attrs)) or element.tag == "footer"


def _page_language(doc) -> str:
    """The language `<html lang>` declares ("es-MX" is Spanish); English when it declares none. A page in a
    language fact sheets are not published in is refused (ImportParseError) rather than filed as English."""
    declared = (doc.getroottree().getroot().get("lang") or "").strip()
    if not declared:
        return languages.SOURCE
    return language_of(declared.split("-")[0].split("_")[0], line=doc.getroottree().getroot().sourceline)


def parse_html(text: str, *, title: str = "") -> ParsedSheet:
    try:
        doc = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ImportParseError(f"not a web page I can read ({exc})") from exc
    for element in doc.xpath("|".join(f"//{tag}" for tag in DROP_TAGS)):
        element.drop_tree()
    # The site footer is not content, but old sites print the sheet's credit line there.
    footer_lines = [_clean(t) for f in doc.xpath("//footer") for t in f.itertext() if _clean(t)]
    h1_anywhere = doc.xpath("//h1")
    main = _main(doc)
    for element in list(main.iter()):
        if isinstance(element.tag, str) and element is not main and _is_chrome_element(element):
            element.drop_tree()
    if not main.xpath(".//h1") and h1_anywhere:
        title = title or _clean(h1_anywhere[0].text_content())

    labels: dict[str, str] = {}
    warnings: list[str] = []
    for table in main.iter("table"):  # a table has no Markdown form here: say so rather than lose it quietly
        warnings.append(f"a table (“{_clean(table.text_content())[:40]}…”) was not imported; add it by hand")
    updated = None
    body: list[str] = []
    pending_label = None
    source_lines: dict[str, int | None] = {}  # heading -> its line in the page, for the report
    for element in main.iter("h1", "h2", "h3", "h4", "p", "ul", "ol", "dt", "dd", "div"):
        tag = element.tag
        if tag == "div" and (element.text or "").strip() == "":
            continue  # a wrapper: its children come on their own
        plain = _clean(element.text_content()) if tag != "div" else _clean(element.text or "")
        if not plain:
            continue
        if tag == "h1":
            title = title or plain
            body.append(f"# {plain}")
            continue
        if tag in ("h2", "h3", "h4"):
            body.append(f"## {_inline(element)}")
            source_lines.setdefault(_inline(element), element.sourceline)
            continue
        if tag in ("ul", "ol"):
            items = [_inline(li) for li in element.iter("li") if _inline(li)]
            body.append("\n".join(f"{'-' if tag == 'ul' else f'{n}.'} {item}" for n, item in enumerate(items, 1)))
            continue
        if element.getparent() is not None and element.getparent().tag == "li":
            continue  # a paragraph inside a list item is part of that item
        if pending_label:
            labels[pending_label], pending_label = plain, None
            continue
        label = label_of(plain)
        if label:
            labels[label[0]] = label[1]
            pending_label = None if label[1] else label[0]
            continue
        date_line = DATE_LINE_RE.match(plain)
        if date_line and not match_footer(plain):
            updated = updated or parse_loose_date(date_line.group("date"))
            warnings.append(f"used the date line “{plain}”")
            continue
        if not any(line.startswith("# ") for line in body) and is_chrome(plain):
            warnings.append(f"skipped page chrome “{plain}”")
            continue
        source_lines.setdefault("", element.sourceline)  # where the text before the first heading starts
        body.append(_inline(element))
    body += [line for line in footer_lines if match_footer(line)]
    if not title:
        raise ImportParseError("no title: the page has no <h1> heading; " + UNSURE_HINT)

    front = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    page_language = _page_language(doc)
    if page_language != languages.SOURCE:
        front.append(f"language: {page_language}")
    if labels.get("generic_name"):
        front.append(f"generic_name: {json.dumps(TRADEMARK_RE.sub('', labels['generic_name']).strip())}")
    for key in ("brand_names", "conditions"):
        if labels.get(key):
            front.append(f"{key}: [{', '.join(json.dumps(n, ensure_ascii=False) for n in _names(labels[key]))}]")
    if updated and not any(match_footer(line) for line in body):
        front.append(f"updated_on: {updated.isoformat()}")
    sheet = parse_markdown("\n".join(front + ["---", ""]) + "\n\n".join(body) + "\n")
    sheet.source_format = "html"
    for section in sheet.sections:  # lines of the page, not of the Markdown made from it
        section.line = source_lines.get(section.heading, source_lines.get("")) or section.line
    if labels.get("drug_class"):
        warnings.append(f"drug class “{labels['drug_class']}”: no field for it; not imported")
    sheet.warnings = warnings + sheet.warnings
    return sheet
