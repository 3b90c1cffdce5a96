"""Published fact sheets as files: JSON in the shape of the API detail, Markdown that the importer reads back.

`revision_detail_data` builds the same keys as the API's detail (`/api/v1/factsheets/<slug>/`); it is
written here so that export works without the API app. Keep both in step (see README).
"""

from __future__ import annotations

from django.conf import settings

from .importing import parse_markdown, to_markdown
from .models import FactSheetRevision

DETAIL_KEYS = (
    "slug", "title", "generic_name", "brand_names", "conditions", "version", "summary", "fast_facts", "sections",
    "authors", "reviewed_by", "updated_on", "last_reviewed_on", "next_review_due", "published_at", "content_hash",
    "url",
)


def _iso(value):
    return value.isoformat() if value else None


def revision_detail_data(revision: FactSheetRevision) -> dict:
    """One published revision as the API detail shows it."""
    sheet = revision.fact_sheet
    data = {
        "slug": sheet.slug,
        "title": revision.title,
        "generic_name": sheet.generic_name,
        "brand_names": sheet.brand_name_list,
        "conditions": [{"slug": c.slug, "name": c.name} for c in sheet.conditions.all()],
        "version": revision.number,
        "summary": revision.summary,
        "fast_facts": list(revision.fast_facts or []),
        "sections": [
            {"kind": s.kind, "heading": s.heading, "body_markdown": s.body, "body_html": s.body_html}
            for s in revision.sections.all()
        ],
        "authors": revision.credit_line,
        "reviewed_by": {"name": revision.reviewed_by_name},
        "updated_on": _iso(revision.updated_on),
        "last_reviewed_on": _iso(revision.last_reviewed_on),
        "next_review_due": _iso(revision.next_review_due),
        "published_at": _iso(revision.published_at),
        "content_hash": revision.content_hash,
        "url": settings.SITE_URL + sheet.get_absolute_url(),
    }
    assert tuple(data) == DETAIL_KEYS
    return data


def revision_markdown(revision: FactSheetRevision) -> str:
    """One revision as Markdown with front matter, importable by `import_factsheets`."""
    sheet = revision.fact_sheet
    return to_markdown(
        slug=sheet.slug,
        title=revision.title,
        generic_name=sheet.generic_name,
        brand_names=sheet.brand_name_list,
        conditions=[c.name for c in sheet.conditions.all()],
        summary=revision.summary,
        fast_facts=list(revision.fast_facts or []),
        sections=[(s.kind, s.heading, s.body) for s in revision.sections.all()],
        credit_line=revision.credit_line,
        updated_on=revision.updated_on,
        committee=revision.reviewed_by_name,
        change_note=revision.change_note,
    )


def markdown_round_trips(revision: FactSheetRevision, text: str) -> bool:
    """Whether importing `text` gives back exactly what a patient reads in `revision` (same content hash)."""
    try:
        parsed = parse_markdown(text.replace("\r\n", "\n"))
    except Exception:  # noqa: BLE001 - any parse failure means it does not round-trip
        return False
    return parsed.canonical_content() == revision.canonical_content()
