"""The denormalised search index of live editions (data only; the workflow decides when a version is live).

`refresh_search_index(sheet_ids)` rebuilds the EditionSearchIndex rows of each sheet, one per language it is live
in, from that edition's live version (and deletes them when the sheet has none): title, names and conditions as
signed, text. reviews.going_live calls it inside the publish transaction, for an English version and a translation
alike; nothing else changes what a live version says. Search then reads one indexed row per sheet and language
instead of assembling every sheet's sections per request.

On PostgreSQL each row's vector is built with its language's text-search configuration (`english`, `spanish`:
languages.SEARCH_CONFIGS), so Spanish words are stemmed as Spanish.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Prefetch

from factsheets.content import languages
from factsheets.models import EditionSearchIndex, FactSheet, FactSheetRevision, Section

CHUNK = 500

_SECTIONS = Section.objects.only("revision_id", "heading", "body", "position")


def _weighted_texts(revision: FactSheetRevision) -> tuple[str, str, str, str]:
    """The text of weights A (names), B (conditions), C (summary, fast facts), D (sections)."""
    a = " ".join([revision.title, revision.generic_name, revision.brand_names])
    b = " ".join(c["name"] for c in revision.used_for())
    c = " ".join([revision.summary or "", " ".join(str(f) for f in (revision.fast_facts or []))])
    d = " ".join(f"{s.heading} {s.body}" for s in revision.sections.all())
    return a, b, c, d


def _write_documents(rows: list[tuple[int, str, str, str, str, str]]) -> None:
    """PostgreSQL: one UPDATE for a chunk, the weighted tsvector of each row in its language's configuration."""
    values = ", ".join(["(%s::bigint, %s, %s::regconfig, %s, %s, %s, %s)"] * len(rows))
    params = []
    for sheet_id, language, *texts in rows:
        params += [sheet_id, language, languages.SEARCH_CONFIGS[language], *map(_with_folded, texts)]
    weighted = " || ".join(f"setweight(to_tsvector(v.config, COALESCE(v.{w}, '')), '{w.upper()}')" for w in "abcd")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EditionSearchIndex._meta.db_table} AS i SET document = {weighted} "
            f"FROM (VALUES {values}) AS v(id, language, config, a, b, c, d) "
            "WHERE i.fact_sheet_id = v.id AND i.language = v.language",
            params,
        )


def _with_folded(text: str) -> str:
    """The text, then its words without accents where any had one: a query typed either way finds them (the
    vector keeps both forms; queries are matched as typed and folded, selectors.search_live_sheets)."""
    folded = languages.search_fold(text)
    return text if folded == text.lower() else f"{text}\n{folded}"


def refresh_search_index(sheet_ids: Iterable[int] | None = None) -> int:
    """Rebuild the index rows of these sheets (all when None); returns how many rows were written."""
    sheets = (
        FactSheet.objects.select_related("live_revision")
        .prefetch_related(Prefetch("live_revision__sections", queryset=_SECTIONS))
        .order_by("pk")
    )
    if sheet_ids is not None:
        sheets = sheets.filter(pk__in=list(sheet_ids))
    written = 0
    with transaction.atomic():
        chunk: list[FactSheet] = []
        for sheet in sheets.iterator(chunk_size=CHUNK):
            chunk.append(sheet)
            if len(chunk) == CHUNK:
                written += _refresh_chunk(chunk)
                chunk = []
        if chunk:
            written += _refresh_chunk(chunk)
    return written


def _live_translations(sheets: list[FactSheet]) -> list[FactSheetRevision]:
    """The live version of every translated edition of these sheets (of those with a live English version)."""
    if not languages.TRANSLATIONS:
        return []
    return list(
        FactSheetRevision.objects.filter(
            fact_sheet__in=[s.pk for s in sheets if s.live_revision_id],
            language__in=languages.TRANSLATIONS,
            status=FactSheetRevision.Status.PUBLISHED,
        )
        .prefetch_related(Prefetch("sections", queryset=_SECTIONS))
        .order_by("fact_sheet_id", "language")
    )


def _refresh_chunk(sheets: list[FactSheet]) -> int:
    EditionSearchIndex.objects.filter(fact_sheet__in=[s.pk for s in sheets]).delete()
    live = [sheet.live_revision for sheet in sheets if sheet.live_revision_id]
    rows = [
        (revision.fact_sheet_id, revision.language, *_weighted_texts(revision))
        for revision in [*live, *_live_translations(sheets)]
    ]
    EditionSearchIndex.objects.bulk_create(
        [
            EditionSearchIndex(fact_sheet_id=pk, language=language, text=languages.search_fold("\n".join(parts)))
            for pk, language, *parts in rows
        ]
    )
    if rows and connection.vendor == "postgresql":
        _write_documents(rows)
    return len(rows)
