"""Admin for authors: conditions, fact sheets and their numbered revisions with sections inline.

The admin only translates: new drafts come from `factsheets.content.services`, review steps from the workflow
screens in `reviews`. A revision that left the draft state is shown read-only here, and the model
refuses the save anyway (`RevisionLocked`), which we turn into a message rather than an error page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from factsheets.authoring.history import ReadOnlyAdminMixin, ReadOnlyHistoryMixin

from factsheets.content import limits
from factsheets.content import codes
from factsheets.authoring.codes import ConditionForm, code_field
from factsheets.authoring.readability import ReadingScoresAdminMixin, SectionReadingGradeMixin
from factsheets.public.cache import content_changed
from factsheets.models import Condition, FactSheet, FactSheetRevision, RevisionLocked, Section
from factsheets.content.signals import DraftSaveRefused, draft_saved
from factsheets.content.services import (
    DraftNotAllowed,
    pending_version,
    revision_create_first_draft,
    revision_start_draft,
)

Status = FactSheetRevision.Status


class _FirstDraftRefused(Exception):
    """The service refused the first draft; carries the message for the author."""


class FastFactsField(forms.CharField):
    """The JSON list of fast facts, edited as a textarea with one fact per line (blank lines dropped).
    Its limits are the model's (`factsheets.content.limits`), checked by the model's validation."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 80})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Fast facts")
        kwargs.setdefault(
            "help_text",
            f"One fact per line, in the order patients read them. Blank lines are ignored. "
            f"At most {limits.FAST_FACTS_MAX_ITEMS} facts of up to {limits.FAST_FACT_MAX_LENGTH} characters each.",
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return [str(item).strip() for item in value if str(item).strip()]
        lines = (value or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(item) for item in value)
        return value or ""


class RevisionForm(forms.ModelForm):
    fast_facts = FastFactsField()
    rxnorm = code_field(FactSheetRevision, "rxnorm", codes.RXNORM)
    atc = code_field(FactSheetRevision, "atc", codes.ATC)
    ndc = code_field(FactSheetRevision, "ndc", codes.NDC)

    class Meta:
        model = FactSheetRevision
        fields = [
            "title",
            "generic_name",
            "brand_names",
            "conditions",
            "rxnorm",
            "atc",
            "ndc",
            "summary",
            "fast_facts",
            "credit_line",
            "change_note",
            "publish_at",
        ]


_revision_field = FactSheetRevision._meta.get_field
FIRST_DRAFT_FIELDS = ["title", "generic_name", "brand_names", "conditions", "summary", "fast_facts", "credit_line"]


class FactSheetAddForm(forms.ModelForm):
    """A new sheet (its permanent address) together with the content of its first draft (version 1)."""

    # The draft's own fields, checked by the revision model (the conditions are a relation, checked by the form).
    VALIDATED_FIELDS = [name for name in FIRST_DRAFT_FIELDS if name != "conditions"]
    title = _revision_field("title").formfield()
    generic_name = _revision_field("generic_name").formfield()
    brand_names = _revision_field("brand_names").formfield()
    conditions = _revision_field("conditions").formfield(
        widget=admin.widgets.FilteredSelectMultiple("conditions", is_stacked=False)
    )
    summary = _revision_field("summary").formfield()
    fast_facts = FastFactsField()
    credit_line = _revision_field("credit_line").formfield()

    class Meta:
        model = FactSheet
        fields = ["slug"]

    def clean(self):
        cleaned = super().clean()
        # The first draft's fields are checked by the revision model itself, as on every other path.
        draft = FactSheetRevision(**{name: cleaned.get(name) for name in self.VALIDATED_FIELDS if name in cleaned})
        excluded = [f.name for f in FactSheetRevision._meta.fields if f.name not in self.VALIDATED_FIELDS]
        try:
            draft.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.VALIDATED_FIELDS and name in self.cleaned_data:
                    self.add_error(name, messages)
                elif name not in self.VALIDATED_FIELDS:
                    self.add_error(None, messages)
        return cleaned


# Conditions ---------------------------------------------------------------------------------------


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
        transaction.on_commit(lambda: content_changed(None))


# Fact sheets --------------------------------------------------------------------------------------


class HasLiveVersionFilter(admin.SimpleListFilter):
    title = "live version"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Never published")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(live_revision__isnull=False)
        if self.value() == "no":
            return queryset.filter(live_revision__isnull=True)
        return queryset


class WithdrawnFilter(admin.SimpleListFilter):
    title = "withdrawn"
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("yes", "Withdrawn"), ("no", "Not withdrawn")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Review overdue"), ("no", "Review not yet due")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=True, live_revision__next_review_due__lt=today)
        if self.value() == "no":
            return queryset.filter(live_revision__next_review_due__gte=today)
        return queryset


class RevisionListInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The sheet's versions, newest first, each linking to its own page. Never edited from here."""

    model = FactSheetRevision
    fields = ["number", "title", "status", "updated_on", "created_by", "open_link"]
    readonly_fields = fields
    ordering = ["-number"]
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
        latest = FactSheetRevision.objects.filter(fact_sheet=OuterRef("pk")).order_by("-number")
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
        if user.has_perm("reviews.start_reaffirmation") and sheet.live_revision_id and sheet.withdrawn_at is None:
            links.append({"url": reverse("reviews:reaffirm", args=[sheet.pk]), "label": "Ask for reaffirmation"})
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
        return {"sheet_links": links, "start_draft_url": start_draft_url}

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/start-draft/",
                self.admin_site.admin_view(self.start_draft_view),
                name="factsheets_factsheet_start_draft",
            )
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


# Revisions ----------------------------------------------------------------------------------------


class SectionForm(forms.ModelForm):
    position = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Order on the page; lower comes first. Leave empty to put a new section at the end.",
    )

    class Meta:
        model = Section
        fields = ["position", "kind", "heading", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial["position"] = None  # not the model's 0, which would put a new section first


class SectionFormSet(forms.BaseInlineFormSet):
    """The version's limits as a whole (number of sections, total length) over the sections as submitted."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            (form.cleaned_data.get("heading", ""), form.cleaned_data.get("body", ""))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            self.instance.validate_version(sections=kept)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class SectionInline(SectionReadingGradeMixin, admin.StackedInline):
    """Sections in page order. Change the position numbers to reorder (lower comes first)."""

    model = Section
    form = SectionForm
    formset = SectionFormSet
    fields = ["position", "kind", "heading", "body", "reading_grade"]
    readonly_fields = ["reading_grade"]
    ordering = ["position", "id"]
    extra = 1

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
    list_display = ["title", "fact_sheet", "number", "status", "updated_on", "created_by"]
    list_filter = ["status"]
    search_fields = ["title", "fact_sheet__slug", "generic_name", "brand_names"]
    filter_horizontal = ["conditions"]
    list_select_related = ["fact_sheet__live_revision", "created_by"]  # the sheet's name comes from its live version
    view_on_site = False  # the public page of a version exists only once published; use "Preview"
    change_form_template = "admin/factsheets/factsheetrevision/change_form.html"
    object_history_template = "admin/factsheets/factsheetrevision/object_history.html"

    CONTENT = [
        "title",
        "generic_name",
        "brand_names",
        "conditions",
        "rxnorm",
        "atc",
        "ndc",
        "summary",
        "fast_facts",
        "credit_line",
        "change_note",
    ]
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
            (None, {"fields": ["fact_sheet", "number", "status"]}),
            ("Content", {"fields": content}),
            ("Reading level", {"fields": ["reading_scores"], "description": "As last saved."}),
            ("Going live", {"fields": ["publish_at"], "classes": ["collapse"]}),
            ("Record", {"fields": self.RECORD, "classes": ["collapse"]}),
        ]

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
            if not revision.is_editable:
                extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
                extra_context["locked_notice"] = (
                    f"Version {revision.number} is {revision.get_status_display().lower()}: its content is frozen. "
                    "To change this sheet, start a new draft from the fact sheet page."
                )
        return super().change_view(request, object_id, form_url, extra_context)

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
