from django.apps import AppConfig


class RecordGuardsTestConfig(AppConfig):
    name = "tests.record_guards"
    label = "tests_record_guards"
