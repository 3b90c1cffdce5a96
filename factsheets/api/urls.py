"""Mounted at /api/ by config/urls.py: the v1 endpoints, the OpenAPI schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from factsheets.api import views
from factsheets.api.errors import api_not_found

app_name = "api"

router = SimpleRouter()
router.register("factsheets", views.FactSheetViewSet, basename="factsheet")
router.register("conditions", views.ConditionViewSet, basename="condition")

urlpatterns = [
    path("", views.api_index, name="index"),
    path("v1/", include(router.urls)),
    # Not rate limited: a client that was throttled must still be able to read how the API works.
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    # The split view serves its start-up script from this address too: no inline script, no CDN.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", throttle_classes=[]), name="docs"),
    re_path(r"^[\s\S]*/$", api_not_found),  # [\s\S]: newlines too
]
