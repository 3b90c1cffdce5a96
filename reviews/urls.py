from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("submit/<int:revision_id>/", views.revision_submit_view, name="submit"),
    path("reviews/<int:pk>/", views.review_detail_view, name="review"),
    path("reviews/<int:pk>/record/", views.review_record_view, name="record"),
]
