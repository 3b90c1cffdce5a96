"""The denormalised search index of live sheets (data only; the workflow decides when a version is live).

`refresh_search_index(sheet_ids)` rebuilds the SheetSearchIndex row of each sheet from its live
revision (or deletes it when the sheet has none): title, names and conditions as signed, text.
reviews.services calls it inside the publish transaction; nothing else changes what a live version says.
Search then reads one indexed row per sheet instead of assembling every sheet's sections per request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Prefetch

from factsheets.models import FactSheet, Section, SheetSearchIndex

CONFIG = "english"
CHUNK = 500


def _weighted_texts(sheet: FactSheet) -> tuple[str, str, str, str]:
    """The text of weights A (names), B (conditions), C (summary, fast facts), D (sections)."""
    revision = sheet.live_revision
    a = " ".join([revision.title, revision.generic_name, revision.brand_names])
    b = " ".join(c["name"] for c in revision.used_for())
    c = " ".join([revision.summary or "", " ".join(str(f) for f in (revision.fast_facts or []))])
    d = " ".join(f"{s.heading} {s.body}" for s in revision.sections.all())
    return a, b, c, d


def _write_documents(rows: list[tuple[int, str, str, str, str]]) -> None:
    """PostgreSQL: one UPDATE for a chunk, the weighted tsvector of each row."""
    values = ", ".join(["(%s::bigint, %s, %s, %s, %s)"] * len(rows))
    params = [value for row in rows for value in row]
    weighted = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(v.{w}, '')), '{w.upper()}')" for w in "abcd"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SheetSearchIndex._meta.db_table} AS i SET document = {weighted} "
            f"FROM (VALUES {values}) AS v(id, a, b, c, d) WHERE i.fact_sheet_id = v.id",
            params,
        )


def refresh_search_index(sheet_ids: Iterable[int] | None = None) -> int:
    """Rebuild the index rows of these sheets (all when None); returns how many rows were written."""
    sheets = (
        FactSheet.objects.select_related("live_revision")
        .prefetch_related(
            Prefetch(
                "live_revision__sections", queryset=Section.objects.only("revision_id", "heading", "body", "position")
            )
        )
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


def _refresh_chunk(sheets: list[FactSheet]) -> int:
    SheetSearchIndex.objects.filter(fact_sheet__in=[s.pk for s in sheets]).delete()
    rows = [(sheet.pk, *_weighted_texts(sheet)) for sheet in sheets if sheet.live_revision_id]
    SheetSearchIndex.objects.bulk_create(
        [SheetSearchIndex(fact_sheet_id=pk, text="\n".join(parts).lower()) for pk, *parts in rows]
    )
    if rows and connection.vendor == "postgresql":
        _write_documents(rows)
    return len(rows)
