from django.apps import AppConfig


class FactsheetsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'factsheets'
