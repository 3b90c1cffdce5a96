"""Reads of published content, shared by the public pages, the feed, the sitemap and the JSON API.

Everything here returns only what patients may read: live sheets (published at least once, not
withdrawn) and the published/superseded versions of those sheets. Drafts, revisions in review, with
changes requested or approved but not yet live never come out of these functions.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower, Substr, Upper
from django.utils.translation import gettext

from factsheets.content import languages
from factsheets.models import Condition, FactSheet, FactSheetRevision, Section

SEARCH_MAX_LENGTH = 200


class SearchQueryTooLong(ValueError):
    """The search text is longer than SEARCH_MAX_LENGTH characters."""


def live_sheets() -> QuerySet[FactSheet]:
    """Live sheets with their live revision, A-Z by title (case-insensitive)."""
    return (
        FactSheet.objects.live()
        .select_related("live_revision")
        .annotate(initial=Upper(Substr("live_revision__title", 1, 1)))
        .order_by(Lower("live_revision__title"), "slug")
    )


def live_sheets_starting_with(letter: str) -> QuerySet[FactSheet]:
    return live_sheets().filter(live_revision__title__istartswith=letter)


def live_initials() -> set[str]:
    """Upper-case first letters of the titles of live sheets (one query)."""
    return set(
        FactSheet.objects.live()
        .annotate(initial=Upper(Substr("live_revision__title", 1, 1)))
        .order_by()  # else the sheets' ordering (slug) joins the DISTINCT: a row per sheet, not per letter
        .values_list("initial", flat=True)
        .distinct()
    )


def conditions_with_live_sheets() -> QuerySet[Condition]:
    """Conditions named by the live version of at least one live sheet (pages and API alike)."""
    return (
        Condition.objects.filter(revisions__live_for__isnull=False, revisions__live_for__withdrawn_at__isnull=True)
        .distinct()
        .order_by("name")
    )


def live_sheets_for_condition(condition: Condition) -> QuerySet[FactSheet]:
    return live_sheets().filter(live_revision__conditions=condition)


def _edition_of(sheet: FactSheet, language: str) -> QuerySet[FactSheetRevision]:
    """The versions of `sheet`'s edition in `language`, for a caller that has the sheet: filtered on its id, and
    its withdrawal read on it, so the sheet is not joined again, for the withdrawal nor by the default ordering
    (by its slug): a sheet's pages each read one of these."""
    return FactSheetRevision.objects.in_language(language).filter(fact_sheet_id=sheet.pk).order_by()


def published_versions(sheet: FactSheet, language: str = languages.SOURCE) -> QuerySet[FactSheetRevision]:
    """Every version of `sheet`'s edition in `language` patients ever saw, newest first (empty for a withdrawn
    sheet)."""
    if sheet.withdrawn_at is not None:
        return FactSheetRevision.objects.none()
    return _edition_of(sheet, language).filter(status__in=FactSheetRevision.PUBLIC_STATUSES).order_by("-number")


def published_version(sheet: FactSheet, number: int, language: str = languages.SOURCE) -> FactSheetRevision | None:
    """Version `number` of `sheet`'s edition in `language` if it was ever published, else None (drafts and
    reviews included)."""
    if sheet.withdrawn_at is not None:
        return None
    revision = (
        _edition_of(sheet, language)
        .filter(number=number, status__in=FactSheetRevision.PUBLIC_STATUSES)
        .select_related("rendition", "translation_of")
        .first()
    )
    return _of(revision, sheet)


def live_version(sheet: FactSheet, language: str = languages.SOURCE) -> FactSheetRevision | None:
    """The version of `sheet` patients read in `language` now, or None (no such edition live, or withdrawn)."""
    if sheet.withdrawn_at is not None:
        return None
    if not languages.is_translation(language):
        return sheet.live_revision
    revision = (
        _edition_of(sheet, language)
        .filter(status=FactSheetRevision.Status.PUBLISHED)
        .select_related("rendition", "translation_of")
        .first()
    )
    return _of(revision, sheet)


def _of(revision: FactSheetRevision | None, sheet: FactSheet) -> FactSheetRevision | None:
    """`revision` with its sheet set to the one it was read for (not read again)."""
    if revision is not None:
        revision.fact_sheet = sheet
    return revision


def withdrawn_title(sheet: FactSheet, language: str) -> str | None:
    """The title of `sheet`'s edition in `language` as it was live when the sheet was withdrawn (withdrawal leaves
    versions as they were), or None if it had no such edition."""
    return (
        FactSheetRevision.objects.in_language(language)
        .filter(fact_sheet=sheet, status=FactSheetRevision.Status.PUBLISHED)
        .values_list("title", flat=True)
        .first()
    )


def editions(sheet: FactSheet) -> list[str]:
    """The languages `sheet` can be read in now, English first (one query; none for a sheet not live)."""
    if sheet.withdrawn_at is not None or sheet.live_revision_id is None:
        return []
    found = set(FactSheetRevision.objects.live(None).filter(fact_sheet=sheet).values_list("language", flat=True))
    return [code for code in languages.Language.values if code in found or code == languages.SOURCE]


def current_translations(sheet: FactSheet) -> list[str]:
    """The languages other than English whose live version translates `sheet`'s live English version: the
    editions that may be reaffirmed unchanged (a stale one is updated instead). One query; none for a sheet that
    is not live."""
    if sheet.withdrawn_at is not None or sheet.live_revision_id is None:
        return []
    found = set(
        FactSheetRevision.objects.live(None)
        .filter(fact_sheet=sheet, translation_of_id=sheet.live_revision_id)
        .exclude(language=languages.SOURCE)
        .values_list("language", flat=True)
    )
    return [code for code in languages.TRANSLATIONS if code in found]


def is_stale(revision: FactSheetRevision) -> bool:
    """A translation based on an earlier English version than the one live now."""
    return revision.is_translation and revision.translation_of_id != revision.fact_sheet.live_revision_id


def stale_translations() -> QuerySet[FactSheetRevision]:
    """Live translations of live sheets whose English version has moved on since: the translations to update,
    oldest source first."""
    return (
        FactSheetRevision.objects.live(None)
        .exclude(language=languages.SOURCE)
        .filter(fact_sheet__live_revision__isnull=False)
        .exclude(translation_of_id=F("fact_sheet__live_revision_id"))
        .select_related("fact_sheet__live_revision", "translation_of")
        .order_by("translation_of__published_at", "fact_sheet__slug")
    )


# Editions on the public lists: English goes through the functions above, unchanged; another language lists
# the sheets with a live version in it, by that version's title (annotated on each sheet as `edition_title`,
# `edition_summary` and `initial`, which the list templates print when present).


def _live_in(language: str) -> FilteredRelation:
    return FilteredRelation(
        "revisions",
        condition=Q(revisions__language=language, revisions__status=FactSheetRevision.Status.PUBLISHED),
    )


def live_editions(language: str = languages.SOURCE) -> QuerySet[FactSheet]:
    """Live sheets readable in `language`, A-Z by the title of their live version in it."""
    if not languages.is_translation(language):
        return live_sheets()
    return (
        FactSheet.objects.live()
        .annotate(edition=_live_in(language))
        .filter(edition__isnull=False)
        .annotate(
            edition_title=F("edition__title"),
            edition_summary=F("edition__summary"),
            initial=Upper(Substr("edition__title", 1, 1)),
        )
        .order_by(Lower("edition__title"), "slug")
    )


def live_editions_starting_with(letter: str, language: str = languages.SOURCE) -> QuerySet[FactSheet]:
    if not languages.is_translation(language):
        return live_sheets_starting_with(letter)
    return live_editions(language).filter(edition__title__istartswith=letter)


def live_edition_initials(language: str = languages.SOURCE) -> set[str]:
    """Upper-case first letters of the titles in `language` of live sheets (one query)."""
    if not languages.is_translation(language):
        return live_initials()
    return set(live_editions(language).order_by().values_list("initial", flat=True).distinct())


def conditions_with_live_editions(language: str = languages.SOURCE) -> QuerySet[Condition]:
    """Conditions named by the live version in `language` of at least one live sheet."""
    if not languages.is_translation(language):
        return conditions_with_live_sheets()
    return (
        Condition.objects.filter(
            revisions__language=language,
            revisions__status=FactSheetRevision.Status.PUBLISHED,
            revisions__fact_sheet__live_revision__isnull=False,
            revisions__fact_sheet__withdrawn_at__isnull=True,
        )
        .distinct()
        .order_by("name")
    )


def live_editions_for_condition(condition: Condition, language: str = languages.SOURCE) -> QuerySet[FactSheet]:
    if not languages.is_translation(language):
        return live_sheets_for_condition(condition)
    return live_editions(language).filter(edition__conditions=condition)


def with_live_translations(sheets: QuerySet[FactSheet]) -> QuerySet[FactSheet]:
    """`sheets` annotated `live_<code>`, the number of the version live in that language (None: no such
    edition) for every translation language, in the same query: which editions a page can link to."""
    return sheets.annotate(**_live_translation_numbers("pk"))


def _live_translation_numbers(sheet: str) -> dict:
    """`live_<code>` of each translation language: the number of the version live in it of the sheet `sheet`
    (an outer field) names."""
    return {
        f"live_{code}": Subquery(
            FactSheetRevision.objects.live(code).filter(fact_sheet=OuterRef(sheet)).values("number")[:1]
        )
        for code in languages.TRANSLATIONS
    }


def live_edition_versions() -> QuerySet:
    """The live version of every edition of every live sheet (English and each translation), by slug and language:
    rows of its `slug`, `language`, `number`, `published_at` and `live_<code>` like `with_live_translations` (which
    other editions its page names). Rows, not revisions: the sitemap reads 5,000 at a time."""
    live = _live_translation_numbers("fact_sheet")
    return (
        FactSheetRevision.objects.live(None)
        .filter(fact_sheet__live_revision__isnull=False)
        .annotate(slug=F("fact_sheet__slug"), **live)
        .order_by("fact_sheet__slug", "language")
        .values_list("slug", "language", "number", "published_at", *live, named=True)
    )


def published_feed_entries(limit: int = 50) -> QuerySet[FactSheetRevision]:
    """The most recent publications (one per published version, in every language), newest first."""
    return (
        FactSheetRevision.objects.published(None)
        .filter(published_at__isnull=False)
        .select_related("fact_sheet")
        .order_by("-published_at", "-pk")[:limit]
    )


def printable_text(q: str | None) -> str:
    """Control characters (NUL among them, which PostgreSQL refuses in text) mean nothing in a search: spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in (q or ""))


def clean_search_query(q: str | None) -> str:
    """The search text, trimmed and with runs of whitespace collapsed; raises SearchQueryTooLong."""
    q = " ".join(printable_text(q).split())
    if len(q) > SEARCH_MAX_LENGTH:
        raise SearchQueryTooLong(
            gettext("Please shorten your search to %(max_length)s characters or fewer.")
            % {"max_length": SEARCH_MAX_LENGTH}
        )
    return q


def search_live_sheets(q: str, language: str = languages.SOURCE) -> QuerySet[FactSheet]:
    """Live sheets whose edition in `language` matches `q` (already cleaned), best first; in another language than
        English each carries `edition_title` and `edition_summary` (as `live_editions`).

        Only the live version of that edition is searched (factsheets.public.search keeps one indexed row per sheet
        and language). PostgreSQL: full-text search in the language's configuration (`spanish` stems Spanish words)
        with ranking over title, generic and brand names (weight A), conditions (B), summary and fast facts (C) and
        section text (D). Other databases: a case-insensitive substring match over the same text, A-Z. Accents do not
    count: "inyeccion" finds "inyección" and the other way round (`languages.search_fold`).
    """
    sheets = live_editions(language).annotate(entry=_search_entry(language))
    if not q:
        return sheets.none()
    if connection.vendor == "postgresql":
        return _search_postgres(sheets, q, language)
    return _search_fallback(sheets, q)


def _search_entry(language: str) -> FilteredRelation:
    return FilteredRelation("search_entries", condition=Q(search_entries__language=language))


def _title_order(language: str):
    return Lower("live_revision__title" if not languages.is_translation(language) else "edition__title")


def _search_postgres(sheets: QuerySet[FactSheet], q: str, language: str) -> QuerySet[FactSheet]:
    """Matches and ranks on the stored, GIN-indexed vector of the edition's live version."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    config = languages.SEARCH_CONFIGS[language]
    query = SearchQuery(q, search_type="websearch", config=config)
    folded = languages.search_fold(q)
    if folded != q.lower():  # typed with accents: the index holds the words both ways, either may match
        query |= SearchQuery(folded, search_type="websearch", config=config)
    return (
        sheets.filter(entry__document=query)
        .annotate(rank=SearchRank(F("entry__document"), query))
        .order_by("-rank", _title_order(language), "slug")
    )


def _search_fallback(sheets: QuerySet[FactSheet], q: str) -> QuerySet[FactSheet]:
    """Every word somewhere in the edition's stored search text (one column, no join over sections)."""
    match = Q()
    for word in q.split():
        match &= Q(entry__text__contains=languages.search_fold(word))
    return sheets.filter(match)


def revision_authors(revision: FactSheetRevision) -> set[int]:
    """Ids of everyone who wrote this revision: its creator and every user who edited it or its sections."""
    ids = {revision.created_by_id}
    # Workflow saves carry a change reason and are made by reviewers too; only plain edits count as writing.
    edits = FactSheetRevision.history.filter(id=revision.pk).filter(
        Q(history_change_reason__isnull=True) | Q(history_change_reason="")
    )
    ids.update(edits.values_list("history_user_id", flat=True))
    ids.update(Section.history.filter(revision_id=revision.pk).values_list("history_user_id", flat=True))
    ids.discard(None)
    return ids
