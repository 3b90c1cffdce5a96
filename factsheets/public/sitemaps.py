"""/sitemap.xml: a sitemap index of pages of at most `PAGE_SIZE` live sheets each, so every live sheet is listed
however many there are (one sitemap file may list at most 50,000 addresses; we stay well under).

The pages are plain paths (`/sitemaps/factsheets-<n>.xml`, no query string), so a static export
(factsheets.public.site_export) can write them as files. Addresses come from SITE_URL, not the request's Host.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from factsheets.public import http_cache

from factsheets.content import selectors

PAGE_SIZE = 5000


class LiveFactSheetSitemap(Sitemap):
    changefreq = "monthly"
    limit = PAGE_SIZE

    def items(self):
        return selectors.live_sheets()

    def location(self, sheet):
        return sheet.get_absolute_url()

    def lastmod(self, sheet):
        return sheet.live_revision.published_at


def page_paths() -> list[str]:
    """The path of every sitemap page (at least one, empty when nothing is live)."""
    return [reverse("factsheets:sitemap-page", args=[n]) for n in LiveFactSheetSitemap().paginator.page_range]


def _xml(request, template: str, context: dict):
    response = TemplateResponse(request, template, context, content_type="application/xml")
    http_cache.make_shared(response, tags=[http_cache.SITE_TAG])
    return http_cache.conditional(request, response, etag=http_cache.content_etag(response))


@require_safe
def sitemap_index(request):
    pages = [SimpleNamespace(location=settings.SITE_URL + path, last_mod=None) for path in page_paths()]
    return _xml(request, "sitemap_index.xml", {"sitemaps": pages})


@require_safe
def sitemap_page(request, page: int):
    site = urlsplit(settings.SITE_URL)
    try:
        urls = LiveFactSheetSitemap().get_urls(
            page=page, site=SimpleNamespace(domain=site.netloc), protocol=site.scheme
        )
    except EmptyPage:
        raise Http404("No such sitemap page.") from None
    return _xml(request, "sitemap.xml", {"urlset": urls})
