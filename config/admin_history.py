"""Read-only history in the admin.

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
