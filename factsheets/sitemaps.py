"""/sitemap.xml: the current page of every live sheet."""

from django.contrib.sitemaps import Sitemap

from . import selectors


class LiveFactSheetSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return selectors.live_sheets()

    def location(self, sheet):
        return sheet.get_absolute_url()

    def lastmod(self, sheet):
        return sheet.live_revision.published_at
