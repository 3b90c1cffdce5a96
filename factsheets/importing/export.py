"""Published fact sheets as files: JSON exactly as the API detail serves it, Markdown that the importer reads back."""

from __future__ import annotations

from factsheets.api.serializers import FactSheetRevisionSerializer
from factsheets.api.views import detail_document
from factsheets.importing import parse_markdown, to_markdown
from factsheets.importing.sheet import file_shaped_content
from factsheets.models import FactSheetRevision

DETAIL_KEYS = tuple(FactSheetRevisionSerializer.Meta.fields)


def revision_detail_data(revision: FactSheetRevision) -> dict:
    """One published revision exactly as the API detail shows it (its stored rendition plus its record)."""
    as_version = revision.status != FactSheetRevision.Status.PUBLISHED
    return detail_document(revision, sheet=revision.fact_sheet, as_version=as_version)


def revision_markdown(revision: FactSheetRevision) -> str:
    """One revision as Markdown with front matter, importable by `import_factsheets`."""
    sheet = revision.fact_sheet
    return to_markdown(
        slug=sheet.slug,
        title=revision.title,
        generic_name=revision.generic_name,
        brand_names=revision.brand_name_list,
        conditions=[c["name"] for c in revision.used_for()],
        summary=revision.summary,
        fast_facts=list(revision.fast_facts or []),
        sections=[(s.kind, s.heading, s.body) for s in revision.ordered_sections()],
        credit_line=revision.credit_line,
        updated_on=revision.updated_on,
        committee=revision.reviewed_by_name,
        change_note=revision.change_note,
        codes=revision.codes(),
        language=revision.language,
        translates_version=revision.translation_of.number if revision.is_translation else None,
    )


def markdown_round_trips(revision: FactSheetRevision, text: str) -> bool:
    """Whether importing `text` gives back exactly what a patient reads in `revision` (same content hash)."""
    try:
        parsed = parse_markdown(text.replace("\r\n", "\n"))
    except Exception:  # noqa: BLE001 - any parse failure means it does not round-trip
        return False
    words = file_shaped_content(revision)
    mine = parsed.canonical_content()
    mine.setdefault("codes", {"rxnorm": [], "atc": [], "ndc": []})  # a file without codes: none
    return mine == words
