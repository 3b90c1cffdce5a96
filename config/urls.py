from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/workflow/", include("reviews.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("factsheets.api.urls")),
    path("", include("factsheets.urls")),
]
