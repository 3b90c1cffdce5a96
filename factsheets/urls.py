from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import PublicationsFeed
from .infobutton import infobutton
from .sitemaps import LiveFactSheetSitemap

app_name = "factsheets"

urlpatterns = [
    path("", views.factsheet_index, name="index"),
    path("search/", views.search, name="search"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("factsheets/<slug:slug>/", views.factsheet_detail, name="detail"),
    path("factsheets/<slug:slug>/versions/", views.factsheet_versions, name="versions"),
    path("factsheets/<slug:slug>/versions/<int:number>/", views.factsheet_version, name="version"),
    path("preview/revisions/<int:pk>/", views.revision_preview, name="preview"),
    path("feed/", PublicationsFeed(), name="feed"),
    path("infobutton/", infobutton, name="infobutton"),
    path("sitemap.xml", sitemap, {"sitemaps": {"factsheets": LiveFactSheetSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
