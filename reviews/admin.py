"""Committees are managed here; reviews and sign-offs are read-only records (never added, edited or
deleted through the admin: they come only from `reviews.services`, through the workflow screens)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from factsheets.authoring.history import ReadOnlyAdminMixin, ReadOnlyHistoryMixin

from .models import AccessEvent, Committee, Decision, Review


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Editors keep a committee's name, review interval and target reading grade; who signs and how many must approve (members,
    quorum, authenticator codes) are set by administrators only, and each change is in the access log."""

    SIGNING_RULES = ("members", "required_approvals", "signing_needs_authenticator", "reviews_translations")

    list_display = [
        "name",
        "required_approvals",
        "review_interval_months",
        "max_reading_grade",
        "reviews_translations",
        "member_count",
    ]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "members"]}),
        (
            "Rules",
            {
                "fields": [
                    "required_approvals",
                    "signing_needs_authenticator",
                    "reviews_translations",
                    "review_interval_months",
                    "max_reading_grade",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SIGNING_RULES if f not in fields]
        return fields

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


# What a sign-off records, as both the review's inline and the sign-off's own page show it.
SIGNATURE_FIELDS = [
    "printed_name",
    "verdict",
    "meaning",
    "signed_at",
    "second_factor",
    "comment",
    "conflict_of_interest",
    "content_hash",
    "sequence",
]


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = SIGNATURE_FIELDS
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
    fields = [
        "revision",
        "committee",
        "kind",
        "status",
        "submitted_by",
        "submitted_at",
        "closed_at",
        "content_hash",
        "links",
    ]
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
    list_display = ["sequence", "printed_name", "meaning", "signed_at", "review"]
    list_filter = ["verdict"]
    search_fields = ["printed_name", "comment", "review__revision__title"]
    list_select_related = ["review__revision", "review__committee"]
    fields = ["review", "reviewer", *SIGNATURE_FIELDS, "previous_hash", "chain_hash"]
    readonly_fields = fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class AccountWithoutPasswordForm(forms.ModelForm):
    """A new account made by an editor: no password and no email address. An administrator gives it its
    email address; its owner then chooses a password through the reset link."""

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class RoleSafeUserAdmin(UserAdmin):
    """Editors create accounts (with a name, nothing else) and manage staff status. Only an administrator
    (superuser) grants powers (superuser status, single permissions, roles) or changes someone else's
    identity: email address, password, username and name. The name is printed on every signature, so an
    editor who could rename a reviewer could make the record read as if someone else had signed. A password
    set by anyone but its owner cannot sign (`reviews.access`)."""

    PRIVILEGED_FIELDS = ("is_superuser", "user_permissions", "groups")
    # Another person's identity: their sign-in, reset channel and the name printed on their signatures.
    IDENTITY_FIELDS = ("username", "first_name", "last_name", "email")
    NEW_ACCOUNT_FIELDSETS = [(None, {"fields": ("username", "first_name", "last_name")})]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.PRIVILEGED_FIELDS if f not in fields]
            if obj is not None and obj.pk != request.user.pk:
                fields += [f for f in self.IDENTITY_FIELDS if f not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return self.NEW_ACCOUNT_FIELDSETS
        # Without the password row there is no link to the set-password screen.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = AccountWithoutPasswordForm
        return super().get_form(request, obj, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            if str(request.user.pk) == str(id):
                return redirect("admin:password_change")  # asks for the current password first
            raise PermissionDenied("Only the account's owner sets its password.")
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts that signed or changed anything are part of the record: deactivate them instead.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "user", "committee", "actor", "by_owner", "via", "detail"]
    list_filter = ["kind", "by_owner"]
    search_fields = ["user__username", "actor__username", "detail", "via"]
    list_select_related = ["user", "actor", "committee"]
    fields = list_display
    readonly_fields = fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RoleSafeUserAdmin)
