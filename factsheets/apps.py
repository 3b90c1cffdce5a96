from django.apps import AppConfig


class FactsheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "factsheets"

    def ready(self):
        from factsheets.authoring import glossary  # noqa: F401  (registers the glossary admin)
