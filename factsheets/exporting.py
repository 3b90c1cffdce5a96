"""Published fact sheets as files: JSON exactly as the API detail serves it, Markdown that the importer reads back."""

from __future__ import annotations

import json

from rest_framework.renderers import JSONRenderer

from .api.serializers import FactSheetRevisionSerializer
from .importing import parse_markdown, to_markdown
from .models import FactSheetRevision

DETAIL_KEYS = tuple(FactSheetRevisionSerializer.Meta.fields)


def revision_detail_data(revision: FactSheetRevision) -> dict:
    """One published revision as the API detail shows it (the API's own serializer, rendered to plain JSON)."""
    return json.loads(JSONRenderer().render(FactSheetRevisionSerializer(revision).data))


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
