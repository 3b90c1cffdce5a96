"""Admin of one numbered version: its fields with the sections inline, read-only once submitted."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from factsheets.authoring.history import ReadOnlyHistoryMixin

from factsheets.authoring.readability import ReadingScoresAdminMixin, SectionReadingGradeMixin
from factsheets.models import FactSheetRevision, RevisionLocked, Section
from factsheets.content.services import DraftNotAllowed, translation_update_source
from factsheets.content.signals import DraftSaveRefused, draft_saved

from factsheets.authoring.forms import REVISION_CONTENT_FIELDS, RevisionForm, SectionForm, SectionFormSet

Status = FactSheetRevision.Status


class SectionInline(SectionReadingGradeMixin, admin.StackedInline):
    """Sections in page order. Change the position numbers to reorder (lower comes first)."""

    model = Section
    form = SectionForm
    formset = SectionFormSet
    fields = ["position", "kind", "heading", "body", "reading_grade"]
    readonly_fields = ["reading_grade"]
    ordering = ["position", "id"]
    extra = 1

    def get_queryset(self, request):
        # Each section's reading score depends on its revision's language: read with the section, not per row.
        return super().get_queryset(request).select_related("revision")

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_editable

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra if self._editable(obj) else 0

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(FactSheetRevision)
class FactSheetRevisionAdmin(ReadOnlyHistoryMixin, ReadingScoresAdminMixin, SimpleHistoryAdmin):
    form = RevisionForm
    inlines = [SectionInline]
    list_display = ["title", "fact_sheet", "language", "number", "status", "updated_on", "created_by"]
    list_filter = ["status", "language"]
    search_fields = ["title", "fact_sheet__slug", "generic_name", "brand_names"]
    filter_horizontal = ["conditions"]
    list_select_related = ["fact_sheet__live_revision", "created_by"]  # the sheet's name comes from its live version
    view_on_site = False  # the public page of a version exists only once published; use "Preview"
    change_form_template = "admin/factsheets/factsheetrevision/change_form.html"
    object_history_template = "admin/factsheets/factsheetrevision/object_history.html"

    CONTENT = REVISION_CONTENT_FIELDS
    # Shown instead of the editable field once the content is frozen.
    FROZEN_DISPLAY = {"fast_facts": "fast_facts_display", "conditions": "conditions_display"}
    RECORD = [
        "created_by",
        "created_at",
        "submitted_at",
        "approved_at",
        "published_at",
        "updated_on",
        "last_reviewed_on",
        "next_review_due",
        "reviewed_by_name",
        "content_hash",
        "rendition_hash",
        "imported_from",
    ]
    readonly_fields = [
        "fact_sheet",
        "language",
        "translates",
        "number",
        "status",
        *RECORD,
        "fast_facts_display",
        "conditions_display",
        "reading_scores",
    ]

    class Media:
        css = {"all": ["css/plain-language.css"]}

    def get_fieldsets(self, request, obj=None):
        content = list(self.CONTENT)
        if obj is not None and not obj.is_editable:
            content = [self.FROZEN_DISPLAY.get(name, name) for name in content]
        return [
            (None, {"fields": self.identity_fields(obj)}),
            ("Content", {"fields": content}),
            ("Reading level", {"fields": ["reading_scores"], "description": "As last saved."}),
            ("Going live", {"fields": ["publish_at"], "classes": ["collapse"]}),
            ("Record", {"fields": self.RECORD, "classes": ["collapse"]}),
        ]

    def identity_fields(self, obj) -> list[str]:
        fields = ["fact_sheet", "language", "number", "status"]
        if obj is not None and obj.is_translation:
            fields.insert(2, "translates")
        return fields

    @admin.display(description="Translates")
    def translates(self, revision):
        """The English version this translation is of, linked, and whether that is still the live one."""
        source = revision.translation_of
        if source is None:
            return "—"
        url = reverse("admin:factsheets_factsheetrevision_change", args=[source.pk])
        live_id = revision.fact_sheet.live_revision_id
        if source.pk == live_id:
            state = "the live English version"
        elif live_id is not None:
            state = f"English version {revision.fact_sheet.live_revision.number} is live now"
        else:
            state = "no English version is live"
        return format_html('<a href="{}">English version {}</a> ({})', url, source.number, state)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.is_editable:
            fields += [f for f in self.CONTENT if f not in self.FROZEN_DISPLAY] + ["publish_at"]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and not obj.is_editable:
            kwargs["form"] = forms.ModelForm  # no declared fields: nothing of a frozen revision is editable
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="Fast facts")
    def fast_facts_display(self, revision):
        if not revision.fast_facts:
            return "—"
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((fact,) for fact in revision.fast_facts))
        )

    @admin.display(description="Used for")
    def conditions_display(self, revision):
        names = [c["name"] for c in revision.used_for()]
        return ", ".join(names) if names else "—"

    @admin.display(description="Rendition hash")
    def rendition_hash(self, revision):
        rendition = getattr(revision, "rendition", None) if revision.pk else None
        return rendition.rendition_hash if rendition else "—"

    def has_add_permission(self, request):
        # Versions are created with their sheet (version 1) or by "Start a new draft", which numbers them.
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete runs a queryset delete that would skip the per-revision lock.
        actions.pop("delete_selected", None)
        return actions

    def locked_message(self, revision) -> str:
        return (
            f"Version {revision.number} is {revision.get_status_display().lower()} and can no longer be edited; "
            "nothing was changed. To change this sheet, start a new draft from the fact sheet page."
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            revision = self.get_object(request, unquote(object_id))
            if revision is not None and not revision.is_editable:
                self.message_user(request, self.locked_message(revision), messages.ERROR)
                return HttpResponseRedirect(request.path)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DraftSaveRefused as error:
            # A listener refused part of the save (e.g. a resolution note with a NUL): all of it was rolled back.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        except RevisionLocked:
            # Submitted while this form was being saved: the admin's transaction rolled everything back.
            revision = FactSheetRevision.objects.get(pk=unquote(object_id))
            self.message_user(request, self.locked_message(revision), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if revision is not None:
            links = [{"url": reverse("factsheets:preview", args=[revision.pk]), "label": "Preview"}]
            if revision.is_editable and request.user.has_perm("factsheets.change_factsheetrevision"):
                links.append({"url": reverse("reviews:submit", args=[revision.pk]), "label": "Submit for review"})
            links.append(
                {
                    "url": reverse("admin:factsheets_factsheet_change", args=[revision.fact_sheet_id]),
                    "label": "Fact sheet",
                }
            )
            extra_context["revision_links"] = links
            extra_context["update_source_url"] = self.update_source_url(request.user, revision)
            if not revision.is_editable:
                extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
                extra_context["locked_notice"] = (
                    f"Version {revision.number} is {revision.get_status_display().lower()}: its content is frozen. "
                    "To change this sheet, start a new draft from the fact sheet page."
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def update_source_url(self, user, revision) -> str:
        """For an author, on a translation draft whose English version is no longer the live one: where to
        point it at the live English version. Else empty."""
        sheet = revision.fact_sheet
        if (
            revision.is_translation
            and revision.is_editable
            and user.has_perm("factsheets.add_factsheetrevision")
            and sheet.live_revision_id
            and sheet.withdrawn_at is None
            and revision.translation_of_id != sheet.live_revision_id
        ):
            return reverse("admin:factsheets_factsheetrevision_update_source", args=[revision.pk])
        return ""

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/update-source/",
                self.admin_site.admin_view(self.update_source_view),
                name="factsheets_factsheetrevision_update_source",
            )
        ]
        return urls + super().get_urls()

    def update_source_view(self, request, object_id):
        """POST: point a translation draft at the live English version (`translation_update_source`).
        Someone who may not write gets a 403; a refusal by state a message; nothing is changed either way."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        revision = get_object_or_404(FactSheetRevision.objects.select_related("fact_sheet"), pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, revision):
            raise PermissionDenied
        previous = revision.translation_of.number if revision.translation_of_id else None
        try:
            revision = translation_update_source(revision=revision, by=request.user)
        except DraftNotAllowed as error:
            self.message_user(request, f"{error.message} Nothing was changed.", messages.ERROR)
        else:
            self.message_user(
                request,
                f"{revision.get_language_display()} version {revision.number} now translates English version "
                f"{revision.translation_of.number} (was version {previous}). Bring the text in line with it, "
                "then submit.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk]))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the edits, inside the save's transaction: the reviews app records comment resolutions from it.
        if change and form.instance.is_editable:
            draft_saved.send(sender=FactSheetRevision, revision=form.instance, user=request.user, data=request.POST)

    def response_change(self, request, obj):
        # "Save and submit": the author's last step before review, without another trip through the editor.
        if "_save_and_submit" in request.POST and obj.is_editable:
            return HttpResponseRedirect(reverse("reviews:submit", args=[obj.pk]))
        return super().response_change(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Section:
            return super().save_formset(request, form, formset, change)
        sections = formset.save(commit=False)
        for section in formset.deleted_objects:
            section.delete()
        # New sections without a position go after the last one, in the order they were added.
        kept = [f.instance for f in formset.forms if f.instance.pk and f not in formset.deleted_forms]
        last = max([s.position or 0 for s in kept + sections], default=0)
        for section in sections:
            if section.position is None:
                last += 10
                section.position = last
            section.save()
        formset.save_m2m()

    def history_view(self, request, object_id, extra_context=None):
        """The revision's own history plus the history of its sections, each with field diffs."""
        extra_context = dict(extra_context or {})
        records = list(
            Section.history.filter(revision_id=unquote(object_id))
            .select_related("history_user")
            .order_by("id", "-history_date", "-history_id")
        )
        newer = None
        for record in records:
            if newer is not None and newer.id == record.id:
                delta = newer.diff_against(record, excluded_fields=["body_html"])
                newer.history_delta_changes = HistoricalRecordContextHelper(Section, newer).context_for_delta_changes(
                    delta
                )
            newer = record
        records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
        extra_context["section_history"] = records
        return super().history_view(request, object_id, extra_context)
