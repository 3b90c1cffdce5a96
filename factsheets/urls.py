import re

from django.urls import URLResolver, path
from django.utils import translation

from factsheets.api.infobutton import infobutton
from factsheets.content import languages
from factsheets.public import http_cache, sitemaps, views
from factsheets.public.feeds import PublicationsFeed

app_name = "factsheets"


class EditionPrefix:
    """The language prefix of the public pages: none for English, `es/` for Spanish (`/es/factsheets/<slug>/`).

    Like Django's LocalePrefixPattern with prefix_default_language=False, but keyed on the edition language
    (`en`, whatever LANGUAGE_CODE's region) and allowed in an included URLconf, so the pages keep their
    `factsheets:` names. The prefix follows the active language, which factsheets.public.middleware.PathLanguageMiddleware
    takes from the path alone; `reverse()` under `translation.override("es")` gives the Spanish address."""

    converters = {}

    @property
    def language_prefix(self) -> str:
        code = (translation.get_language() or languages.SOURCE).split("-")[0]
        return f"{code}/" if code in languages.TRANSLATIONS else ""

    @property
    def regex(self):  # used by reverse() only, cached per active language
        return re.compile(re.escape(self.language_prefix))

    def match(self, path):
        prefix = self.language_prefix
        return (path.removeprefix(prefix), (), {}) if path.startswith(prefix) else None

    def check(self):
        return []

    def describe(self):
        return f"'{self}'"

    def __str__(self):
        return self.language_prefix


# The pages patients read, in every edition's language (/, /es/ ...).
edition_patterns = [
    path("", views.factsheet_index, name="index"),
    path("search/", views.search, name="search"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("factsheets/<slug:slug>/", views.factsheet_detail, name="detail"),
    path("factsheets/<slug:slug>/versions/", views.factsheet_versions, name="versions"),
    path("factsheets/<slug:slug>/versions/<int:number>/", views.factsheet_version, name="version"),
]

urlpatterns = [
    # Staff preview and the machine-readable documents have one address, unprefixed.
    path("preview/revisions/<int:pk>/", views.revision_preview, name="preview"),
    path("feed/", http_cache.shared_document([http_cache.SITE_TAG])(PublicationsFeed()), name="feed"),
    path("infobutton/", infobutton, name="infobutton"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemaps/factsheets-<int:page>.xml", sitemaps.sitemap_page, name="sitemap-page"),
    path("robots.txt", views.robots_txt, name="robots"),
    URLResolver(EditionPrefix(), edition_patterns),
]
