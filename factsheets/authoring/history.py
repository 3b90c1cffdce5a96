"""Read-only records in the admin: history pages, and inlines or admins that only show the record.

`SIMPLE_HISTORY_REVERT_DISABLED = True` only hides simple-history's revert button: its history form view still
saves whatever is POSTed to it, which would change a sheet or committee around the review. Every admin with
history mixes this in, so history pages are for reading only.
"""

from django.core.exceptions import PermissionDenied


class ReadOnlyHistoryMixin:
    """Put before SimpleHistoryAdmin: `class FooAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin)`."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("History is read-only: nothing can be reverted from here.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True


class ReadOnlyAdminMixin:
    """An admin or inline that shows records and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
