from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from reviews.views import OwnerPasswordResetConfirmView

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_TITLE
admin.site.index_title = "What is waiting for you"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/workflow/", include("reviews.urls")),
    # Staff set their own password through an emailed link (the admin login page links here).
    path("admin/password_reset/", auth_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", OwnerPasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("admin/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/", include("factsheets.api.urls")),
    path("", include("factsheets.urls")),
]
