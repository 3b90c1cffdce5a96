"""Public pages (published content only, for anonymous readers) and the staff preview.

Reads go through `factsheets.content.selectors`, so no page can show a draft or an unapproved version.
Published pages send ETag, Last-Modified and `Cache-Control: public, max-age=FACTSHEETS_CACHE_SECONDS`
(plus s-maxage, stale-while-revalidate and purge tags for shared caches, except search: factsheets.public.http_cache)
and answer conditional requests with 304 (one path: http_cache.conditional). A withdrawn sheet answers 410, as
shared-cacheable as its pages. A sheet page is its stored rendition (factsheets.public.pages) read
in one query; whole anonymous responses are cached by factsheets.public.middleware.

Every page but the staff preview also answers under a language prefix (/es/...: factsheets.urls), in that
language (factsheets.public.middleware.PathLanguageMiddleware): the sheet and version pages serve the edition in
that language, the lists name the sheets that have one. A sheet without it answers 404 there, linking its
English page.
"""

from __future__ import annotations

import datetime as dt
import string

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from factsheets.public import throttling
from factsheets.content import languages, selectors, version_diffs
from factsheets.models import Condition, FactSheet, FactSheetRevision
from factsheets.plain_language.aids import plain_language_context
from factsheets.public import http_cache, pages

PAGE_SIZE = 100
ALPHABET = string.ascii_uppercase

# Helpers ------------------------------------------------------------------------------------------


def _as_datetime(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


def _latest(*moments) -> dt.datetime | None:
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def make_public(response: HttpResponse, *, tags: list[str] | None = None):
    """Cache headers for a published page: public, max-age from settings; with `tags`, also s-maxage,
    stale-while-revalidate and the purge tags for shared caches (factsheets.public.http_cache)."""
    if tags:
        return http_cache.make_shared(response, tags=tags)
    patch_cache_control(response, public=True, max_age=settings.FACTSHEETS_CACHE_SECONDS)
    return response


def conditional(
    request,
    response: HttpResponse,
    *,
    etag: str | None = None,
    last_modified: dt.datetime | None = None,
    tags: list[str] | None = None,
):
    """The public cache headers, then the one conditional-request path (factsheets.public.http_cache.conditional).
    Called after rendering because the ETag is a fingerprint of the page's context, read in the same single
    query; a page without one (lists, search) is fingerprinted by its bytes."""
    make_public(response, tags=tags)
    return http_cache.conditional(
        request, response, etag=etag or http_cache.content_etag(response), last_modified=last_modified
    )


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def gone(request, sheet: FactSheet) -> HttpResponse:
    """410 for a withdrawn sheet, shared-cacheable like its pages and tagged with the sheet, so the purge that
    follows any change to the sheet drops it with them."""
    language = pages.page_language()
    title = sheet.live_revision.title if sheet.live_revision_id else sheet.slug
    if languages.is_translation(language):
        # The title the reader knew on this page: that of the edition live when the sheet was withdrawn.
        title = selectors.withdrawn_title(sheet, language) or title
    response = render(
        request,
        "410.html",
        {
            "title": title,
            "reason": sheet.withdrawal_reason,
        },
        status=410,
    )
    return make_public(response, tags=[http_cache.sheet_tag(sheet.slug)])


def _public_sheet(slug: str) -> FactSheet:
    """The sheet behind a public URL with its live revision, that revision's stored rendition and the numbers of
    its live translations (one query). 404 if it was never published; the caller checks withdrawal."""
    sheets = selectors.with_live_translations(FactSheet.objects.select_related("live_revision__rendition"))
    sheet = sheets.filter(slug=slug).first()
    if sheet is None or sheet.live_revision_id is None:
        raise Http404("No fact sheet is published at this address.")
    return sheet


def no_edition(request, sheet: FactSheet) -> HttpResponse:
    """404 in the page's language for a live sheet without an edition in it, linking its English page."""
    english_url = pages.url_in(languages.SOURCE, "factsheets:detail", sheet.slug)
    context = {
        "english_url": english_url,
        **pages.language_links(pages.page_language(), {languages.SOURCE: english_url}),
    }
    return render(request, "404.html", context, status=404)


def _edition_missing(sheet: FactSheet, language: str) -> bool:
    return languages.is_translation(language) and not getattr(sheet, f"live_{language}", None)


# Sheet page ---------------------------------------------------------------------------------------


def _page_last_modified(revision: FactSheetRevision, sheet: FactSheet) -> dt.datetime | None:
    # The page changes when this version is published or reaffirmed, and (for older versions) when a
    # newer version supersedes it.
    live = sheet.live_revision
    return _latest(revision.published_at, _as_datetime(revision.last_reviewed_on), live.published_at if live else None)


def _sheet_page(request, revision: FactSheetRevision, sheet: FactSheet) -> HttpResponse:
    """A published version: its stored rendition in the page chrome, with ETag/Last-Modified and 304s."""
    revision.fact_sheet = sheet
    context = pages.sheet_page_context(revision, sheet=sheet)
    context.update(pages.sheet_language_links(sheet, revision.language))
    if not context["is_live"]:
        context["alternates"] = []  # an older version has no equivalent in another language
    response = render(request, "factsheets/detail.html", context)
    return conditional(
        request,
        response,
        etag=pages.page_fingerprint(context),
        # An older translation changes when a newer one in its language goes live, a date not read here: its ETag
        # (which has the current number) is its only validator.
        last_modified=_page_last_modified(revision, sheet)
        if context["is_live"] or not revision.is_translation
        else None,
        tags=[http_cache.sheet_tag(sheet.slug)],
    )


@require_safe
def factsheet_detail(request, slug):
    """The live version of a sheet in the page's language; 404 if never published (or no edition in that
    language), 410 if withdrawn. One query on a cache miss (two for a translation)."""
    language = pages.page_language()
    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        return gone(request, sheet)
    if _edition_missing(sheet, language):
        return no_edition(request, sheet)
    revision = selectors.live_version(sheet, language) if languages.is_translation(language) else sheet.live_revision
    if revision is None:  # its translation went out of print since the sheet was read
        return no_edition(request, sheet)
    return _sheet_page(request, revision, sheet)


@require_safe
def factsheet_versions(request, slug):
    """Every published version of a sheet: number, dates, what changed, and the stored word diff against the one
    before."""
    language = pages.page_language()
    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        return gone(request, sheet)
    if _edition_missing(sheet, language):
        return no_edition(request, sheet)
    versions = list(selectors.published_versions(sheet, language).select_related("stored_diff"))
    live = next((v for v in versions if v.status == FactSheetRevision.Status.PUBLISHED), None)
    if live is None:
        return no_edition(request, sheet)
    version_diffs.for_versions(versions)  # stored when each version went live: no diffing per request
    response = render(
        request,
        "factsheets/versions.html",
        {
            "sheet": sheet,
            "revision": live,
            "versions": versions,
            "canonical_url": pages.absolute_url(request.path),
            **pages.sheet_language_links(sheet, language, "factsheets:versions"),
        },
    )
    return conditional(
        request,
        response,
        last_modified=_page_last_modified(sheet.live_revision, sheet),
        tags=[http_cache.sheet_tag(sheet.slug)],
    )


@require_safe
def factsheet_version(request, slug, number):
    """One published version; an older one says so and links to the current page. 404 if never published."""
    language = pages.page_language()
    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        return gone(request, sheet)
    if _edition_missing(sheet, language):
        return no_edition(request, sheet)
    revision = selectors.published_version(sheet, number, language)
    if revision is None:
        raise Http404("This version of the fact sheet was never published.")
    return _sheet_page(request, revision, sheet)


def _everywhere_links(language: str, name: str, *args) -> dict:
    """Language links of a page every language has (the index, a condition's page)."""
    return pages.language_links(language, {code: pages.url_in(code, name, *args) for code in languages.Language.values})


# Lists --------------------------------------------------------------------------------------------


@require_safe
def factsheet_index(request):
    """All live sheets A-Z (100 a page), a letter filter, the search box and the conditions; in another language,
    the sheets with a live edition in it, A-Z by their title in it."""
    language = pages.page_language()
    letter = (request.GET.get("letter") or "").strip().upper()
    if letter not in ALPHABET or len(letter) != 1:
        letter = ""
    if letter:
        sheets = selectors.live_editions_starting_with(letter, language)
    else:
        sheets = selectors.live_editions(language)
    page = _paginate(request, sheets)
    initials = selectors.live_edition_initials(language)
    letters = [(c, c in initials) for c in ALPHABET]
    response = render(
        request,
        "factsheets/index.html",
        {
            "page": page,
            "letter": letter,
            "letters": letters,
            "conditions": list(selectors.conditions_with_live_editions(language)),
            "canonical_url": pages.absolute_url(request.path),
            "query_prefix": f"letter={letter}&" if letter else "",
            **_everywhere_links(language, "factsheets:index"),
        },
    )
    return conditional(request, response, tags=[http_cache.SITE_TAG])


@require_safe
def condition_detail(request, slug):
    language = pages.page_language()
    condition = get_object_or_404(Condition, slug=slug)
    page = _paginate(request, selectors.live_editions_for_condition(condition, language))
    response = render(
        request,
        "factsheets/condition.html",
        {
            "condition": condition,
            "page": page,
            "canonical_url": pages.absolute_url(request.path),
            **_everywhere_links(language, "factsheets:condition", condition.slug),
        },
    )
    return conditional(request, response, tags=[http_cache.SITE_TAG])


def too_many_searches(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        "Too many searches from your address. Please wait a minute and try again.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_safe
def search(request):
    """Full-text search over live sheets in the page's language (PostgreSQL, in that language's configuration;
    substring match elsewhere): /es/search/ searches the live Spanish editions and links their Spanish pages. Rate
    limited per client address by the `search` throttle (its stored answers count too:
    factsheets.public.middleware)."""
    language = pages.page_language()
    wait = throttling.retry_after(request, throttling.SearchRateThrottle)
    if wait is not None:
        return too_many_searches(wait)
    raw = request.GET.get("q", "")
    error = ""
    page = None
    try:
        q = selectors.clean_search_query(raw)
    except selectors.SearchQueryTooLong as exc:
        q, error = "", str(exc)
    if q:
        page = _paginate(request, selectors.search_live_sheets(q, language))
    elif not error and "q" in request.GET:
        error = gettext("Type the name of a medicine, a brand name or a condition to search.")
    response = render(
        request,
        "factsheets/search.html",
        {
            "q": q if not error else raw[: selectors.SEARCH_MAX_LENGTH],
            "page": page,
            "error": error,
            "max_length": selectors.SEARCH_MAX_LENGTH,
            "query_prefix": urlencode({"q": q}) + "&",
        },
    )
    return conditional(request, response)  # the user's own words: no shared-cache directives or tags


# Staff --------------------------------------------------------------------------------------------


@staff_member_required
def revision_preview(request, pk):
    """Any revision as the public page shows it (a submitted one: its stored rendition); staff only, never
    cached or indexed. A draft's preview marks jargon with a plainer alternative unless ?hints=off."""
    revision = get_object_or_404(
        FactSheetRevision.objects.select_related("fact_sheet__live_revision", "rendition"), pk=pk
    )
    context = {"hints_on": revision.is_editable and request.GET.get("hints") != "off"}
    body = None
    if context["hints_on"]:
        # Scored and checked in its own language, against the version live in that language.
        live = selectors.live_version(revision.fact_sheet, revision.language)
        context.update(plain_language_context(revision, compare_with=live, language=revision.language))
        body = pages.sheet_body(
            revision, sections_html=context["jargon"]["sections"], fast_facts=context["jargon"]["fast_facts"]
        )
    context.update(pages.sheet_page_context(revision, sheet=revision.fact_sheet, preview=True, body=body))
    response = render(request, "factsheets/detail.html", context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Machine-readable ---------------------------------------------------------------------------------


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        f"Sitemap: {pages.absolute_url('/sitemap.xml')}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    return make_public(response)
