from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("submit/<int:revision_id>/", views.revision_submit_view, name="submit"),
    path("reviews/<int:pk>/", views.review_detail_view, name="review"),
    path("reviews/<int:pk>/record/", views.review_record_view, name="record"),
    # Placeholders (501) until the workflow screens land; the fact sheet admin links to them.
    path("sheets/<int:sheet_id>/versions/", views.sheet_versions_view, name="sheet_versions"),
    path("sheets/<int:sheet_id>/withdraw/", views.sheet_withdraw_view, name="withdraw_sheet"),
    path("sheets/<int:sheet_id>/reaffirm/", views.sheet_reaffirm_view, name="reaffirm"),
]
