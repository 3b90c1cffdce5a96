"""Committees are managed here; reviews and sign-offs are read-only records (never added, edited or
deleted through the admin: they come only from `reviews.services`, through the workflow screens)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.admin_history import ReadOnlyAdminMixin, ReadOnlyHistoryMixin

from .models import Committee, Decision, Review


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ["name", "required_approvals", "review_interval_months", "member_count"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "members"]}),
        ("Rules", {"fields": ["required_approvals", "review_interval_months"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description="members")
    def member_count(self, obj):
        return len(obj.members.all())

    def has_delete_permission(self, request, obj=None):
        # A committee that reviewed anything is part of the record (PROTECT would refuse anyway).
        if obj is not None and obj.reviews.exists():
            return False
        return super().has_delete_permission(request, obj)


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["printed_name", "verdict", "meaning", "signed_at", "comment", "conflict_of_interest", "content_hash"]
    readonly_fields = fields
    ordering = ["signed_at", "id"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ["revision", "committee", "kind", "status", "submitted_at", "closed_at", "links"]
    list_filter = ["status", "kind", "committee"]
    search_fields = ["revision__title", "revision__fact_sheet__slug", "committee__name"]
    list_select_related = ["revision", "committee"]
    date_hierarchy = "submitted_at"
    inlines = [DecisionInline]
    fields = ["revision", "committee", "kind", "status", "submitted_by", "submitted_at", "closed_at", "content_hash", "links"]
    readonly_fields = fields

    @admin.display(description="workflow")
    def links(self, obj):
        return format_html(
            '<a href="{}">Review page</a> · <a href="{}">Sign-off record</a>',
            reverse("reviews:review", args=[obj.pk]),
            reverse("reviews:record", args=[obj.pk]),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["printed_name", "meaning", "signed_at", "review"]
    list_filter = ["verdict"]
    search_fields = ["printed_name", "comment", "review__revision__title"]
    list_select_related = ["review__revision", "review__committee"]
    fields = ["review", "reviewer", "printed_name", "verdict", "meaning", "signed_at", "comment", "conflict_of_interest", "content_hash"]
    readonly_fields = fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class RoleSafeUserAdmin(UserAdmin):
    """Editors manage accounts, but only an administrator (superuser) grants the powers that could get
    around a committee: superuser status, single permissions, and the Editors role itself."""

    PRIVILEGED_FIELDS = ("is_superuser", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.PRIVILEGED_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(name="Editors")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # A non-superuser's form cannot offer Editors, but an editor's own membership must survive a save.
        keep_editor = change and not request.user.is_superuser and form.instance.groups.filter(name="Editors").exists()
        super().save_related(request, form, formsets, change)
        if keep_editor:
            form.instance.groups.add(Group.objects.get(name="Editors"))


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RoleSafeUserAdmin)
