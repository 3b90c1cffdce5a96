from django.urls import path

from . import views

app_name = "factsheets"

urlpatterns = [
    path("", views.factsheet_index, name="index"),
    path("factsheets/<slug:slug>/", views.factsheet_detail, name="detail"),
    path("preview/revisions/<int:pk>/", views.revision_preview, name="preview"),
]
