"""Admin for the jargon glossary (editors and authors keep it up to date). Imported from apps.ready()."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from factsheets.authoring.history import ReadOnlyHistoryMixin

from factsheets.models import GlossaryTerm


class GlossaryTermForm(forms.ModelForm):
    """A term sent without a language is English, as every term was before terms had one."""

    class Meta:
        model = GlossaryTerm
        fields = ("language", "term", "plain", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or GlossaryTerm.Language.ENGLISH


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    form = GlossaryTermForm
    list_display = ("term", "plain", "language", "note")
    list_filter = ("language",)
    search_fields = ("term", "plain", "note")
    ordering = ("language", "term")
    fieldsets = ((None, {"fields": ("language", "term", "plain", "note")}),)
