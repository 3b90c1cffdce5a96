"""/sitemap.xml: a sitemap index of pages of at most `PAGE_SIZE` addresses each, so every live sheet is listed in each
language it is live in, however many there are (one sitemap file may list at most 50,000 addresses; we stay well
under).

The pages are plain paths (`/sitemaps/factsheets-<n>.xml`, no query string), so a static export
(factsheets.public.site_export) can write them as files. Addresses come from SITE_URL, not the request's Host.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage
from django.http import Http404, HttpResponse
from django.template.defaultfilters import date as date_format
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.timezone import template_localtime
from django.urls import reverse
from django.views.decorators.http import require_safe

from factsheets.content import languages, selectors
from factsheets.public import http_cache, pages

PAGE_SIZE = 5000


class LiveFactSheetSitemap(Sitemap):
    """One address per live edition: a sheet's page in English and, where it has one, in Spanish (/es/...). A sheet
    readable in more than one language names all its editions' pages as `xhtml:link` alternates (with x-default,
    the English page) on each of them, as the pages' own hreflang links do (factsheets.public.pages)."""

    changefreq = "monthly"
    limit = PAGE_SIZE

    def items(self):
        return selectors.live_edition_versions()

    def location(self, revision):
        return pages.url_in(revision.language, "factsheets:detail", revision.slug)

    def lastmod(self, revision):
        return revision.published_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["alternates"] = [
                {"lang_code": link["code"], "location": link["url"]} for link in _alternates(url["item"])
            ]
        return urls


def _alternates(revision) -> list[dict]:
    live = [code for code in languages.Language.values if code == languages.SOURCE or getattr(revision, f"live_{code}")]
    urls = {code: pages.url_in(code, "factsheets:detail", revision.slug) for code in live}
    return pages.alternates(revision.language, urls)


def page_paths() -> list[str]:
    """The path of every sitemap page (at least one, empty when nothing is live)."""
    return [reverse("factsheets:sitemap-page", args=[n]) for n in LiveFactSheetSitemap().paginator.page_range]


def _xml(request, response):
    http_cache.make_shared(response, tags=[http_cache.SITE_TAG])
    return http_cache.conditional(request, response, etag=http_cache.content_etag(response))


def urlset(urls: list[dict]) -> str:
    """A sitemap page of `urls` (Sitemap.get_urls, with `alternates`): what django.contrib.sitemaps' sitemap.xml
    template writes, character for character, without a template (a page names 5,000 addresses, where the template
    took about 0.4 s)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url.get("lastmod"):
            parts.append(f"<lastmod>{date_format(template_localtime(url['lastmod']), 'Y-m-d')}</lastmod>")
        if url.get("changefreq"):
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url.get("priority"):
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        parts += [
            f'<xhtml:link rel="alternate" hreflang="{escape(link["lang_code"])}" href="{escape(link["location"])}"/>'
            for link in url.get("alternates", ())
        ]
        parts.append("</url>")
    parts.append("\n</urlset>\n")
    return "".join(parts)


@require_safe
def sitemap_index(request):
    pages = [SimpleNamespace(location=settings.SITE_URL + path, last_mod=None) for path in page_paths()]
    return _xml(
        request, TemplateResponse(request, "sitemap_index.xml", {"sitemaps": pages}, content_type="application/xml")
    )


@require_safe
def sitemap_page(request, page: int):
    site = urlsplit(settings.SITE_URL)
    try:
        urls = LiveFactSheetSitemap().get_urls(
            page=page, site=SimpleNamespace(domain=site.netloc), protocol=site.scheme
        )
    except EmptyPage:
        raise Http404("No such sitemap page.") from None
    return _xml(request, HttpResponse(urlset(urls), content_type="application/xml"))
