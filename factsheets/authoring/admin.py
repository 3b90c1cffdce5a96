"""Admin for authors: conditions, fact sheets and their numbered revisions with sections inline.

The admin only translates: new drafts come from `factsheets.content.services`, review steps from the workflow
screens in `reviews`. A revision that left the draft state is shown read-only here, and the model
refuses the save anyway (`RevisionLocked`), which we turn into a message rather than an error page.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from factsheets.authoring.history import ReadOnlyAdminMixin, ReadOnlyHistoryMixin

from factsheets.authoring.codes import ConditionForm
from factsheets.public.cache import changing
from factsheets.content import languages, selectors
from factsheets.models import Condition, FactSheet, FactSheetRevision
from factsheets.content.services import (
    DraftNotAllowed,
    pending_version,
    revision_create_first_draft,
    revision_start_draft,
    translation_start_draft,
)

from factsheets.authoring.filters import HasLiveVersionFilter, ReviewOverdueFilter, WithdrawnFilter
from factsheets.authoring.forms import FIRST_DRAFT_FIELDS, FactSheetAddForm, _FirstDraftRefused

Status = FactSheetRevision.Status


@admin.register(Condition)
class ConditionAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    form = ConditionForm
    list_display = ["name", "slug", "icd10cm", "snomedct"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def _signed_for(self, condition) -> bool:
        """True once a submitted version names this condition: its slug is then baked into signed pages."""
        return condition.revisions.exclude(status__in=FactSheetRevision.EDITABLE_STATUSES).exists()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self._signed_for(obj):
            fields.append("slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and self._signed_for(obj) else super().get_prepopulated_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._signed_for(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A signed sheet keeps the condition's name as signed; only the condition's own page and lists change.
        changing(None)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        # Its condition page and the lists that linked to it are gone too.
        changing(None)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        changing(None)


# Fact sheets --------------------------------------------------------------------------------------


class RevisionListInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The sheet's versions, newest first, each linking to its own page. Never edited from here."""

    model = FactSheetRevision
    fields = ["language", "number", "title", "status", "updated_on", "created_by", "open_link"]
    readonly_fields = fields
    ordering = ["language", "-number"]
    extra = 0
    # The link says what it leads to: "Edit" for a draft an author can change, "View" for a frozen version.
    show_change_link = False
    view_on_site = False
    verbose_name_plural = "versions"

    @admin.display(description="Open")
    def open_link(self, revision):
        url = reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])
        return format_html('<a href="{}">{}</a>', url, "Edit" if revision.is_editable else "View")


@admin.register(FactSheet)
class FactSheetAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "display_title",
        "slug",
        "live_version",
        "work_in_progress",
        "updated_on",
        "next_review_due",
        "withdrawn",
    ]
    list_filter = [HasLiveVersionFilter, WithdrawnFilter, ReviewOverdueFilter]
    search_fields = ["slug", "revisions__title", "revisions__generic_name", "revisions__brand_names"]
    list_select_related = ["live_revision"]
    # Each row costs template work; 50 a page and no second COUNT(*) of the whole table.
    list_per_page = 50
    show_full_result_count = False
    inlines = [RevisionListInline]
    actions = ["start_new_draft"]
    change_form_template = "admin/factsheets/factsheet/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": ["slug"],
                "description": "Everything patients read (title, names, conditions, text) is part of a version: "
                "to change it, start a new draft below and send it for review.",
            },
        ),
        ("Status", {"fields": ["live_revision", "withdrawn_at", "withdrawal_reason"]}),
    ]
    add_fieldsets = [
        (
            "First draft (version 1)",
            {
                "fields": [
                    "generic_name",
                    "slug",
                    "title",
                    "brand_names",
                    "conditions",
                    "summary",
                    "fast_facts",
                    "credit_line",
                ],
                "description": "After saving you add the sections of this draft on its own page.",
            },
        ),
    ]
    readonly_fields = ["live_revision", "withdrawn_at", "withdrawal_reason"]

    def action_checkbox(self, obj):
        """The admin's row checkbox, the same markup written directly (rendering a widget template per row
        was a third of the changelist's time)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    # Changelist: one query for the rows, whatever their number (the latest version comes from subqueries).
    def get_queryset(self, request):
        latest = FactSheetRevision.objects.filter(fact_sheet=OuterRef("pk"), language=languages.SOURCE).order_by(
            "-number"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_title=Subquery(latest.values("title")[:1]),
                latest_number=Subquery(latest.values("number")[:1]),
                latest_status=Subquery(latest.values("status")[:1]),
            )
        )

    @admin.display(description="Title", ordering=Coalesce("live_revision__title", "latest_title"))
    def display_title(self, sheet):
        if sheet.live_revision_id:
            return sheet.live_revision.title
        return getattr(sheet, "latest_title", None) or sheet.slug

    @admin.display(description="Live version", ordering="live_revision__number")
    def live_version(self, sheet):
        return sheet.live_revision.number if sheet.live_revision_id else None

    @admin.display(description="Latest draft")
    def work_in_progress(self, sheet):
        status = getattr(sheet, "latest_status", None)
        if not status or status in FactSheetRevision.PUBLIC_STATUSES:
            return None
        return f"Version {sheet.latest_number}: {Status(status).label}"

    @admin.display(description="Updated", ordering="live_revision__updated_on")
    def updated_on(self, sheet):
        return sheet.live_revision.updated_on if sheet.live_revision_id else None

    @admin.display(description="Next review due", ordering="live_revision__next_review_due")
    def next_review_due(self, sheet):
        return sheet.live_revision.next_review_due if sheet.live_revision_id else None

    @admin.display(description="Withdrawn", boolean=True, ordering="withdrawn_at")
    def withdrawn(self, sheet):
        return sheet.withdrawn_at is not None

    # Add form: the sheet and its first draft in one step.
    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = FactSheetAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.live_revision_id:
            fields.append("slug")  # the public address is permanent once published
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ("generic_name",)} if obj is None else {}

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            data = form.cleaned_data
            try:
                revision_create_first_draft(
                    fact_sheet=obj, by=request.user, **{name: data[name] for name in FIRST_DRAFT_FIELDS}
                )
            except (PermissionDenied, DraftNotAllowed) as error:
                raise _FirstDraftRefused(str(error) or "Only authors can write a fact sheet.") from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _FirstDraftRefused as error:
            # Raised inside the admin's transaction, so the new sheet was rolled back too.
            self.message_user(request, f"{error} Nothing was saved.", messages.ERROR)
            return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        draft = obj.revisions.order_by("number").first()
        if draft is None or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"The fact sheet “{draft.title}” was created with version 1 as a draft. Now add its sections.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk]))

    # Change page: links to the workflow screens and the "Start a new draft" button.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        sheet = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if sheet is not None:
            extra_context.update(self.sheet_links(request, sheet))
        return super().change_view(request, object_id, form_url, extra_context)

    def sheet_links(self, request, sheet) -> dict:
        user = request.user
        links = [{"url": reverse("reviews:sheet_versions", args=[sheet.pk]), "label": "Versions and sign-offs"}]
        if user.has_perm("factsheets.withdraw_factsheet") and sheet.live_revision_id and sheet.withdrawn_at is None:
            links.append({"url": reverse("reviews:withdraw_sheet", args=[sheet.pk]), "label": "Withdraw sheet"})
        live = sheet.live_revision_id and sheet.withdrawn_at is None
        if user.has_perm("reviews.start_reaffirmation") and live:
            links.append({"url": reverse("reviews:reaffirm", args=[sheet.pk]), "label": "Ask for reaffirmation"})
            for code in selectors.current_translations(sheet):
                name = languages.Language(code).label
                links.append(
                    {
                        "url": f"{reverse('reviews:reaffirm', args=[sheet.pk])}?language={code}",
                        "label": f"Ask for reaffirmation of the {name} edition",
                    }
                )
        start_draft_url = None
        if user.has_perm("factsheets.add_factsheetrevision"):
            pending = pending_version(sheet)
            if pending is None:
                start_draft_url = reverse("admin:factsheets_factsheet_start_draft", args=[sheet.pk])
            else:
                # A new draft would be refused; offer the version in progress instead.
                label = "Edit" if pending.is_editable else "Open"
                links.insert(
                    0,
                    {
                        "url": reverse("admin:factsheets_factsheetrevision_change", args=[pending.pk]),
                        "label": f"{label} version {pending.number} ({pending.get_status_display().lower()})",
                    },
                )
        return {
            "sheet_links": links,
            "start_draft_url": start_draft_url,
            "translations": self.translation_links(user, sheet),
        }

    def translation_links(self, user, sheet) -> list[dict]:
        """Per translation language: the button that starts its next version, or the link to the one pending.
        Only for authors, and only while the sheet is live in English (there is nothing to translate before)."""
        if not user.has_perm("factsheets.add_factsheetrevision") or not sheet.live_revision_id or sheet.withdrawn_at:
            return []
        found = []
        for code in languages.TRANSLATIONS:
            name = languages.Language(code).label
            pending = pending_version(sheet, code)
            if pending is None:
                found.append(
                    {
                        "start_url": reverse("admin:factsheets_factsheet_start_translation", args=[sheet.pk, code]),
                        "label": f"Start {name} translation",
                    }
                )
            else:
                found.append(
                    {
                        "url": reverse("admin:factsheets_factsheetrevision_change", args=[pending.pk]),
                        "label": f"Continue the {name} draft (version {pending.number}, "
                        f"{pending.get_status_display().lower()})"
                        if pending.is_editable
                        else f"Open {name} version {pending.number} ({pending.get_status_display().lower()})",
                    }
                )
        return found

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/start-draft/",
                self.admin_site.admin_view(self.start_draft_view),
                name="factsheets_factsheet_start_draft",
            ),
            path(
                "<path:object_id>/start-translation/<str:language>/",
                self.admin_site.admin_view(self.start_translation_view),
                name="factsheets_factsheet_start_translation",
            ),
        ]
        return urls + super().get_urls()

    def _start_draft(self, request, sheet):
        try:
            draft = revision_start_draft(fact_sheet=sheet, by=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error) or "Only authors can start a new draft.", messages.ERROR)
        except DraftNotAllowed as error:
            self.message_user(request, f"{sheet}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, f"{sheet}: version {draft.number} started as a draft.", messages.SUCCESS)
            return draft
        return None

    def start_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        sheet = get_object_or_404(FactSheet, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, sheet):
            raise PermissionDenied
        draft = self._start_draft(request, sheet)
        if draft is not None:
            return HttpResponseRedirect(reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk]))
        return HttpResponseRedirect(reverse("admin:factsheets_factsheet_change", args=[sheet.pk]))

    def start_translation_view(self, request, object_id, language):
        """POST: start the next version of the sheet's edition in `language`. Someone who may not write gets a
        403; a refusal by state (not live, a version already pending) a message; nothing is changed either way."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        sheet = get_object_or_404(FactSheet, pk=unquote(object_id))
        if language not in languages.TRANSLATIONS:
            raise Http404("No such translation language.")
        if not self.has_view_or_change_permission(request, sheet):
            raise PermissionDenied
        sheet_url = reverse("admin:factsheets_factsheet_change", args=[sheet.pk])
        try:
            draft = translation_start_draft(fact_sheet=sheet, language=language, by=request.user)
        except DraftNotAllowed as error:
            self.message_user(request, f"{sheet}: {error.message} Nothing was changed.", messages.ERROR)
            return HttpResponseRedirect(sheet_url)
        self.message_user(
            request,
            f"{sheet}: {draft.get_language_display()} version {draft.number} started as a draft, translating "
            f"English version {draft.translation_of.number}. Translate each part in place, then submit it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk]))

    @admin.action(description="Start a new draft of the selected sheets", permissions=["add_draft"])
    def start_new_draft(self, request, queryset):
        for sheet in queryset:
            self._start_draft(request, sheet)

    def has_add_draft_permission(self, request):
        return request.user.has_perm("factsheets.add_factsheetrevision")

    def has_delete_permission(self, request, obj=None):
        # A sheet that patients ever read is part of the record (PROTECT would refuse the delete anyway).
        if obj is not None and obj.revisions.filter(status__in=FactSheetRevision.PUBLIC_STATUSES).exists():
            return False
        return super().has_delete_permission(request, obj)
