"""Public pages (published content only, for anonymous readers) and the staff preview.

Reads go through `factsheets.selectors`, so no page can show a draft or an unapproved version.
Published pages send ETag, Last-Modified and `Cache-Control: public, max-age=FACTSHEETS_CACHE_SECONDS`
and answer conditional requests with 304. The sheet page's HTML is cached in the shared cache under
the live revision's pk (see `factsheets.cache`), so a cache hit makes no database query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import string

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date, quote_etag, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from . import cache as sheet_cache
from . import selectors
from .models import Condition, FactSheet, FactSheetRevision

PAGE_SIZE = 100
ALPHABET = string.ascii_uppercase

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Helpers ------------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """Absolute link for canonical/Open Graph tags; from SITE_URL so cached pages do not depend on the Host."""
    return settings.SITE_URL + path


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block; <, > and & escaped so no text can close the tag."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES))


def _as_datetime(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


def _latest(*moments) -> dt.datetime | None:
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def make_public(response: HttpResponse, *, etag: str | None = None, last_modified: dt.datetime | None = None):
    """Cache headers for a published page: public, max-age from settings, ETag and Last-Modified."""
    patch_cache_control(response, public=True, max_age=settings.FACTSHEETS_CACHE_SECONDS)
    if etag:
        response.headers["ETag"] = quote_etag(etag)
    if last_modified:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def conditional(request, response: HttpResponse, *, etag: str | None = None, last_modified: dt.datetime | None = None):
    """Add the public cache headers and answer 304 when the client already has this version."""
    make_public(response, etag=etag, last_modified=last_modified)
    if not response.has_header("ETag"):
        set_response_etag(response)
    return get_conditional_response(
        request,
        etag=response.headers["ETag"],
        last_modified=last_modified and int(last_modified.timestamp()),
        response=response,
    )


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def gone(request, sheet: FactSheet) -> HttpResponse:
    return render(
        request,
        "410.html",
        {"title": sheet.live_revision.title if sheet.live_revision_id else sheet.generic_name, "reason": sheet.withdrawal_reason},
        status=410,
    )


def _public_sheet(slug: str) -> FactSheet:
    """The sheet behind a public URL (one query). 404 if it was never published; the caller checks withdrawal."""
    sheet = FactSheet.objects.select_related("live_revision").filter(slug=slug).first()
    if sheet is None or sheet.live_revision_id is None:
        raise Http404("No fact sheet is published at this address.")
    return sheet


# Sheet page ---------------------------------------------------------------------------------------


def revision_page_context(revision: FactSheetRevision, *, preview: bool = False, sheet: FactSheet | None = None) -> dict:
    """Everything the sheet template shows, ready to print: the same for the public page and the preview."""
    sheet = sheet or revision.fact_sheet
    is_live = sheet.live_revision_id == revision.pk and not sheet.is_withdrawn
    brand_names = sheet.brand_name_list
    conditions = list(sheet.conditions.all())
    canonical = absolute_url(sheet.get_absolute_url() if is_live else revision.get_absolute_url())
    structured = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.title,
        "description": revision.summary,
        "url": canonical,
        "inLanguage": "en",
        "about": {
            "@type": "Drug",
            "name": sheet.generic_name,
            "nonProprietaryName": sheet.generic_name,
            "proprietaryName": brand_names,
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
    return {
        "sheet": sheet,
        "revision": revision,
        "sections": list(revision.sections.all()),
        "brand_names": brand_names,
        "conditions": conditions,
        "disclaimer": settings.FACTSHEETS_DISCLAIMER,
        "site_name": settings.FACTSHEETS_SITE_NAME,
        "is_preview": preview,
        "is_live": is_live,
        "canonical_url": canonical,
        "current_url": sheet.get_absolute_url(),
        "current_number": sheet.live_revision.number if sheet.live_revision_id and sheet.live_revision else None,
        "json_ld": json_ld(structured),
    }


def page_fingerprint(context: dict) -> str:
    """Hash of everything a sheet page shows, beyond the frozen content: the page's ETag and cache key."""
    revision, sheet = context["revision"], context["sheet"]
    parts = [
        revision.pk, revision.content_hash, revision.number, str(revision.updated_on), str(revision.last_reviewed_on),
        str(revision.next_review_due), revision.reviewed_by_name, sheet.slug, sheet.generic_name, sheet.brand_names,
        [(c.slug, c.name) for c in context["conditions"]], context["disclaimer"], context["site_name"],
        context["is_live"], context["current_number"], settings.SITE_URL,
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def _page_last_modified(revision: FactSheetRevision, sheet: FactSheet) -> dt.datetime | None:
    # The page changes when this version is published or reaffirmed, and (for older versions) when a
    # newer version supersedes it.
    live = sheet.live_revision
    return _latest(revision.published_at, _as_datetime(revision.last_reviewed_on), live.published_at if live else None)


@require_safe
def factsheet_detail(request, slug):
    """The live version of a sheet; 404 if never published, 410 if withdrawn. Cached: see factsheets.cache."""
    pointer_key = sheet_cache.pointer_key(slug)
    pointer = cache.get(pointer_key)
    if pointer is not None:
        if pointer["state"] == "gone":
            return render(request, "410.html", {"title": pointer["title"], "reason": pointer["reason"]}, status=410)
        last_modified = pointer["last_modified"]
        headers_only = make_public(HttpResponse(), etag=pointer["fingerprint"], last_modified=last_modified)
        not_modified = get_conditional_response(
            request, etag=headers_only.headers["ETag"], last_modified=last_modified and int(last_modified.timestamp()),
            response=headers_only,
        )
        if not_modified is not headers_only:
            return not_modified
        html = cache.get(sheet_cache.page_key(pointer["revision"], pointer["fingerprint"]))
        if html is not None:
            return make_public(HttpResponse(html), etag=pointer["fingerprint"], last_modified=last_modified)

    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        pointer = {"state": "gone", "title": sheet.live_revision.title, "reason": sheet.withdrawal_reason}
        cache.set(pointer_key, pointer, sheet_cache.pointer_timeout())
        return gone(request, sheet)
    revision = sheet.live_revision
    revision.fact_sheet = sheet
    context = revision_page_context(revision, sheet=sheet)
    fingerprint = page_fingerprint(context)
    last_modified = _page_last_modified(revision, sheet)
    html = render_to_string("factsheets/detail.html", context, request=request)
    cache.set(sheet_cache.page_key(revision.pk, fingerprint), html, sheet_cache.PAGE_TIMEOUT)
    cache.set(
        pointer_key,
        {"state": "live", "revision": revision.pk, "fingerprint": fingerprint, "last_modified": last_modified},
        sheet_cache.pointer_timeout(),
    )
    return conditional(request, HttpResponse(html), etag=fingerprint, last_modified=last_modified)


@require_safe
def factsheet_versions(request, slug):
    """Every published version of a sheet: number, updated date and what changed."""
    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        return gone(request, sheet)
    versions = list(selectors.published_versions(sheet))
    response = render(request, "factsheets/versions.html", {
        "sheet": sheet,
        "revision": sheet.live_revision,
        "versions": versions,
        "canonical_url": absolute_url(request.path),
    })
    return conditional(request, response, last_modified=_page_last_modified(sheet.live_revision, sheet))


@require_safe
def factsheet_version(request, slug, number):
    """One published version; an older one says so and links to the current page. 404 if never published."""
    sheet = _public_sheet(slug)
    if sheet.is_withdrawn:
        return gone(request, sheet)
    revision = selectors.published_version(sheet, number)
    if revision is None:
        raise Http404("This version of the fact sheet was never published.")
    revision.fact_sheet = sheet
    context = revision_page_context(revision, sheet=sheet)
    response = render(request, "factsheets/detail.html", context)
    return conditional(
        request, response, etag=page_fingerprint(context), last_modified=_page_last_modified(revision, sheet)
    )


# Lists --------------------------------------------------------------------------------------------


@require_safe
def factsheet_index(request):
    """All live sheets A-Z (100 a page), a letter filter, the search box and the conditions."""
    letter = (request.GET.get("letter") or "").strip().upper()
    if letter not in ALPHABET or len(letter) != 1:
        letter = ""
    sheets = selectors.live_sheets_starting_with(letter) if letter else selectors.live_sheets()
    page = _paginate(request, sheets)
    initials = selectors.live_initials()
    letters = [(c, c in initials) for c in ALPHABET]
    response = render(request, "factsheets/index.html", {
        "page": page,
        "letter": letter,
        "letters": letters,
        "conditions": list(selectors.conditions_with_live_sheets()),
        "canonical_url": absolute_url(request.path),
        "query_prefix": f"letter={letter}&" if letter else "",
    })
    return conditional(request, response)


@require_safe
def condition_detail(request, slug):
    condition = get_object_or_404(Condition, slug=slug)
    page = _paginate(request, selectors.live_sheets_for_condition(condition))
    response = render(request, "factsheets/condition.html", {
        "condition": condition,
        "page": page,
        "canonical_url": absolute_url(request.path),
    })
    return conditional(request, response)


@require_safe
def search(request):
    """Full-text search over live sheets (PostgreSQL; substring match elsewhere)."""
    raw = request.GET.get("q", "")
    error = ""
    page = None
    try:
        q = selectors.clean_search_query(raw)
    except selectors.SearchQueryTooLong as exc:
        q, error = "", str(exc)
    if q:
        page = _paginate(request, selectors.search_live_sheets(q))
    elif not error and "q" in request.GET:
        error = "Type the name of a medicine, a brand name or a condition to search."
    response = render(request, "factsheets/search.html", {
        "q": q if not error else raw[: selectors.SEARCH_MAX_LENGTH],
        "page": page,
        "error": error,
        "max_length": selectors.SEARCH_MAX_LENGTH,
        "query_prefix": urlencode({"q": q}) + "&",
    })
    return conditional(request, response)


# Staff --------------------------------------------------------------------------------------------


@staff_member_required
def revision_preview(request, pk):
    """Any revision, exactly as the public page would show it; staff only, never cached or indexed."""
    revision = get_object_or_404(FactSheetRevision.objects.select_related("fact_sheet__live_revision"), pk=pk)
    response = render(request, "factsheets/detail.html", revision_page_context(revision, preview=True))
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
        f"Sitemap: {absolute_url('/sitemap.xml')}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    return make_public(response)
