"""Committees are managed here; reviews and sign-offs are read-only records (never added, edited or
deleted through the admin: they come only from `reviews.services`, through the workflow screens)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.admin_history import ReadOnlyHistoryMixin

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


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["printed_name", "verdict", "meaning", "signed_at", "comment", "conflict_of_interest", "content_hash"]
    readonly_fields = fields
    ordering = ["signed_at", "id"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
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
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
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
