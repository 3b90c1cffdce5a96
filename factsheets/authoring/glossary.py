"""Admin for the jargon glossary (editors and authors keep it up to date). Imported from apps.ready()."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from factsheets.authoring.history import ReadOnlyHistoryMixin

from factsheets.models import GlossaryTerm


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ("term", "plain", "note")
    search_fields = ("term", "plain", "note")
    ordering = ("term",)
    fieldsets = ((None, {"fields": ("term", "plain", "note")}),)
