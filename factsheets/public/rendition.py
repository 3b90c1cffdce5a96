"""The stored rendition of a revision: what patients get, rendered once and served as stored.

`render(revision)` turns a revision's signed content into the sheet body HTML (the `_sheet_body.html`
template over the sanitised Markdown of each section) and the JSON text of the API document's content
fields, and scores its reading grade. `make_rendition(revision)` stores that for a revision being
submitted (the workflow calls it, with the content already frozen). Previews of drafts call `render`
without storing: a draft shows exactly what its rendition will be.

What is left out on purpose, because it is not known until the committee has signed or changes with
the workflow: version number, dates, the reviewing committee's printed name, the address. Those come
from the revision's workflow fields and are added around the stored rendition by the page and the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from factsheets.plain_language import readability
from factsheets.content.markdown import render_markdown
from factsheets.models import FactSheetRevision, Rendition

# Fields added to the document after some renditions were stored, with what those older renditions mean:
# a version signed before drug codes existed carries none.
LATER_FIELDS = {"codes": {"rxnorm": [], "atc": [], "ndc": []}}


def document_field(document: dict, name: str):
    """A field of a stored rendition's document, reading a field the document predates as its empty value."""
    if name in LATER_FIELDS:
        return document.get(name, LATER_FIELDS[name])
    return document.get(name)


@dataclass(frozen=True)
class Rendered:
    body_html: str
    document: str
    reading: dict

    @property
    def rendition_hash(self) -> str:
        return Rendition.digest(self.body_html, self.document)


def _sections(revision: FactSheetRevision, sections_html: dict | None) -> list[dict]:
    rows = []
    for section in revision.ordered_sections():
        html = render_markdown(section.body)
        rows.append(
            {
                "kind": section.kind,
                "heading": section.heading,
                "body_markdown": section.body,
                "body_html": html,
                # Previews may pass jargon-marked HTML for display; the document always holds the plain rendering.
                "display_html": mark_safe((sections_html or {}).get(section.pk, html)),  # sanitised by render_markdown
            }
        )
    return rows


def plain_fields(revision: FactSheetRevision) -> dict:
    """The revision's patient-visible text fields, keyed as in the API document (verify_record compares them)."""
    return {
        "title": revision.title,
        "generic_name": revision.generic_name,
        "brand_names": revision.brand_name_list,
        "conditions": revision.used_for(),
        "summary": revision.summary,
        "fast_facts": list(revision.fast_facts or []),
        "authors": revision.credit_line,
        "codes": revision.codes(),
        "language": revision.language,
    }


def render(revision: FactSheetRevision, *, sections_html: dict | None = None, fast_facts=None) -> Rendered:
    """The rendition of `revision` as it stands (pure: nothing is stored). `sections_html` and `fast_facts`
    replace what is displayed in the body (a preview's jargon marks); never used for a stored rendition.
    The body's labels and links are in the revision's language, whatever language the request is in."""
    with translation.override(revision.language):
        return _render(revision, sections_html=sections_html, fast_facts=fast_facts)


def _render(revision: FactSheetRevision, *, sections_html: dict | None, fast_facts) -> Rendered:
    sections = _sections(revision, sections_html)
    content = revision.canonical_content()
    body_html = render_to_string(
        "factsheets/_sheet_body.html",
        {
            "title": revision.title,
            "generic_name": revision.generic_name,
            "brand_names": revision.brand_name_list,
            "conditions": content.get("conditions", revision.used_for()),
            "fast_facts": fast_facts if fast_facts is not None else list(revision.fast_facts or []),
            "sections": sections,
        },
    ).strip()
    reading = readability.reading_grade(revision, revision.language)
    if revision.is_translation:  # the API's reading_grade keeps its English keys, empty for another language
        reading = {"flesch_kincaid": None, "smog": None, **reading}
    document = {
        **plain_fields(revision),
        "sections": [{k: s[k] for k in ("kind", "heading", "body_markdown", "body_html")} for s in sections],
        "content_hash": revision.content_hash or revision.compute_content_hash(),
        "reading_grade": reading,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Rendered(body_html=body_html, document=text, reading=reading)


def make_rendition(revision: FactSheetRevision, *, on_upgrade: bool = False) -> Rendition:
    """Render and store a rendition of a revision whose content is frozen (being submitted). The caller (the
    workflow) points the revision at it."""
    rendered = render(revision)
    return Rendition.objects.create(
        revision=revision,
        body_html=rendered.body_html,
        document=rendered.document,
        reading_flesch_kincaid=rendered.reading.get("flesch_kincaid"),
        reading_smog=rendered.reading.get("smog"),
        rendition_hash=rendered.rendition_hash,
        rendered_at=timezone.now(),
        rendered_on_upgrade=on_upgrade,
    )


def body(rendition: Rendition) -> SafeString:
    """The stored sheet body, ready to insert in a page (rendered from sanitised Markdown and escaped text)."""
    return mark_safe(rendition.body_html)
