"""Public pages (published content only, for anonymous readers) and the staff preview."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseGone
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from .models import FactSheet, FactSheetRevision


def revision_page_context(revision: FactSheetRevision, *, preview: bool = False) -> dict:
    """Everything the sheet template shows, ready to print: the same for the public page and the preview."""
    sheet = revision.fact_sheet
    return {
        "sheet": sheet,
        "revision": revision,
        "sections": list(revision.sections.all()),
        "brand_names": sheet.brand_name_list,
        "disclaimer": settings.FACTSHEETS_DISCLAIMER,
        "is_preview": preview,
        "is_live": sheet.live_revision_id == revision.pk,
    }


def factsheet_index(request):
    sheets = (
        FactSheet.objects.live().select_related("live_revision").order_by("live_revision__title")
    )
    return render(request, "factsheets/index.html", {"sheets": sheets})


def factsheet_detail(request, slug):
    sheet = get_object_or_404(FactSheet.objects.filter(live_revision__isnull=False).select_related("live_revision"), slug=slug)
    if sheet.is_withdrawn:
        return HttpResponseGone("This fact sheet has been withdrawn.", content_type="text/plain; charset=utf-8")
    return render(request, "factsheets/detail.html", revision_page_context(sheet.live_revision))


@staff_member_required
def revision_preview(request, pk):
    """Any revision, exactly as the public page would show it; staff only, never cached or indexed."""
    revision = get_object_or_404(FactSheetRevision.objects.select_related("fact_sheet"), pk=pk)
    response = render(request, "factsheets/detail.html", revision_page_context(revision, preview=True))
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
