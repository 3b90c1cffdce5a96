from django.urls import path

from factsheets.public import http_cache, sitemaps, views
from factsheets.public.feeds import PublicationsFeed
from factsheets.api.infobutton import infobutton

app_name = "factsheets"

urlpatterns = [
    path("", views.factsheet_index, name="index"),
    path("search/", views.search, name="search"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("factsheets/<slug:slug>/", views.factsheet_detail, name="detail"),
    path("factsheets/<slug:slug>/versions/", views.factsheet_versions, name="versions"),
    path("factsheets/<slug:slug>/versions/<int:number>/", views.factsheet_version, name="version"),
    path("preview/revisions/<int:pk>/", views.revision_preview, name="preview"),
    path("feed/", http_cache.shared_document([http_cache.SITE_TAG])(PublicationsFeed()), name="feed"),
    path("infobutton/", infobutton, name="infobutton"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemaps/factsheets-<int:page>.xml", sitemaps.sitemap_page, name="sitemap-page"),
    path("robots.txt", views.robots_txt, name="robots"),
]
