"""Building a sheet page: the stored rendition inside chrome that carries no sheet content.

Shared by the public pages, the staff preview and the reviewers' screen, so all three show the same
sheet body. A submitted revision shows its stored rendition as is; a draft (not yet rendered for good)
is rendered on the fly by the same code, so the preview is what its rendition will be.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from factsheets.public import rendition as renditions
from factsheets.models import FactSheet, FactSheetRevision

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute_url(path: str) -> str:
    """Absolute link for canonical/Open Graph tags; from SITE_URL so cached pages do not depend on the Host."""
    return settings.SITE_URL + path


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block; <, > and & escaped so no text can close the tag."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES))


def sheet_body(revision: FactSheetRevision, *, sections_html: dict | None = None, fast_facts=None) -> SafeString:
    """The sheet body: the stored rendition once submitted; a fresh rendering of a draft (optionally with a
    preview's jargon marks)."""
    if not revision.is_editable and revision.rendition_id:
        return renditions.body(revision.rendition)
    return mark_safe(renditions.render(revision, sections_html=sections_html, fast_facts=fast_facts).body_html)


def _structured_data(revision: FactSheetRevision, canonical: str) -> dict:
    structured = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.title,
        "description": revision.summary,
        "url": canonical,
        "inLanguage": revision.language,
        "about": {
            "@type": "Drug",
            "name": revision.generic_name,
            "nonProprietaryName": revision.generic_name,
            "proprietaryName": revision.brand_name_list,
        },
    }
    if revision.last_reviewed_on:
        structured["lastReviewed"] = revision.last_reviewed_on.isoformat()
    if revision.reviewed_by_name:
        structured["reviewedBy"] = {"@type": "Organization", "name": revision.reviewed_by_name}
    if revision.updated_on:
        structured["dateModified"] = revision.updated_on.isoformat()
    if revision.published_at:
        structured["datePublished"] = revision.published_at.date().isoformat()
    return structured


def sheet_page_context(revision: FactSheetRevision, *, sheet: FactSheet, preview: bool = False, body=None) -> dict:
    """Everything the sheet template shows, ready to print: the same for the public page and the preview.

    Sheet content comes from the rendition (`body`) and the frozen revision row; the rest (version, dates,
    committee, address) from the revision's workflow record."""
    is_live = sheet.live_revision_id == revision.pk and sheet.withdrawn_at is None
    canonical = absolute_url(sheet.get_absolute_url() if is_live else revision.get_absolute_url())
    return {
        "sheet": sheet,
        "revision": revision,
        "sheet_body": body if body is not None else sheet_body(revision),
        "disclaimer": settings.FACTSHEETS_DISCLAIMER,
        "site_name": settings.FACTSHEETS_SITE_NAME,
        "is_preview": preview,
        "is_live": is_live,
        "canonical_url": canonical,
        "current_url": sheet.get_absolute_url(),
        "current_number": sheet.live_revision.number if sheet.live_revision_id and sheet.live_revision else None,
        "json_ld": json_ld(_structured_data(revision, canonical)),
    }


def page_fingerprint(context: dict) -> str:
    """Hash of everything a sheet page shows: its ETag."""
    revision, sheet = context["revision"], context["sheet"]
    parts = [
        revision.pk,
        revision.rendition.rendition_hash if revision.rendition_id else revision.content_hash,
        revision.number,
        str(revision.updated_on),
        str(revision.last_reviewed_on),
        str(revision.next_review_due),
        revision.reviewed_by_name,
        sheet.slug,
        context["disclaimer"],
        context["site_name"],
        context["is_live"],
        context["current_number"],
        settings.SITE_URL,
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
