"""Staff workflow screens. Each view checks permission, calls `reviews.services` and translates the result."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse


@staff_member_required
def revision_submit_view(request, revision_id):
    return HttpResponse("Submitting from the admin is not built yet.", status=501)


@staff_member_required
def review_detail_view(request, pk):
    return HttpResponse("The review page is not built yet.", status=501)


@staff_member_required
def review_record_view(request, pk):
    return HttpResponse("The sign-off record is not built yet.", status=501)


@staff_member_required
def sheet_versions_view(request, sheet_id):
    return HttpResponse("The versions and sign-offs page is not built yet.", status=501)


@staff_member_required
def sheet_withdraw_view(request, sheet_id):
    return HttpResponse("Withdrawing a sheet from the admin is not built yet.", status=501)


@staff_member_required
def sheet_reaffirm_view(request, sheet_id):
    return HttpResponse("Asking for reaffirmation from the admin is not built yet.", status=501)
