from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Reviews and sign-offs"

    def ready(self):
        from . import access, checks, resolutions  # noqa: F401  (checks registers the settings check)
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="reviews.sync_roles")
        access.connect()
        resolutions.connect()
