from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("submit/<int:revision_id>/", views.revision_submit_view, name="submit"),
    path("submit/<int:revision_id>/withdraw/", views.revision_withdraw_submission_view, name="withdraw_submission"),
    path("reviews/<int:pk>/", views.review_detail_view, name="review"),
    path("reviews/<int:pk>/record/", views.review_record_view, name="record"),
    path("sheets/<int:pk>/versions/", views.sheet_versions_view, name="sheet_versions"),
    path("sheets/<int:pk>/withdraw/", views.withdraw_sheet_view, name="withdraw_sheet"),
    path("sheets/<int:pk>/reaffirm/", views.reaffirm_view, name="reaffirm"),
    path("account/", views.account_view, name="account"),
]
