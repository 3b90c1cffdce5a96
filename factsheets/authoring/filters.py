"""Changelist filters of the fact sheet list."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone


from factsheets.models import FactSheetRevision

Status = FactSheetRevision.Status


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
        # Due when the live version of any of the sheet's editions is past its review date.
        today = timezone.localdate()
        due = Exists(FactSheetRevision.objects.live(None).filter(fact_sheet=OuterRef("pk"), next_review_due__lt=today))
        if self.value() == "yes":
            return queryset.filter(due, withdrawn_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(~due, live_revision__next_review_due__gte=today)
        return queryset
