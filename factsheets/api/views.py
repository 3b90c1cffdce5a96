"""Read-only endpoints over published content (DESIGN.md "JSON API").

Detail and version responses are built from two cache entries:

- the sheet's *live pointer* (factsheets.cache.live_pointer_key): which revision a slug shows, or
  that it is withdrawn/unpublished. Its key holds the sheet's cache generation, which
  factsheets.cache.forget_sheet renews after a publish, reaffirmation or withdrawal commits; it also
  expires after FACTSHEETS_LIVE_POINTER_TIMEOUT (so edits of the sheet's own fields show);
- the serialized JSON of a published revision, under a key holding the revision pk, its content hash
  and a fingerprint of the sheet's own fields and review dates. Published content never changes, so
  those entries are never invalidated: a change makes a new key.

A cached detail request therefore makes no database query at all.
"""

import hashlib
import json
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models import prefetch_related_objects
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, pagination, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from factsheets.cache import live_pointer_key
from factsheets.models import Condition, FactSheet, FactSheetRevision

from . import serializers as s
from .errors import ErrorSerializer, Gone

MAX_VERSION = 2**31 - 1
REVISION_CACHE_TIMEOUT = 30 * 24 * 3600  # published content never changes; this only bounds memory

NOT_FOUND_MESSAGE = "No published fact sheet has this address."


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


TOO_MANY = _error("Too many requests from this address; retry after the number of seconds in `Retry-After`.")
BAD_PAGE = _error("The page number is past the last page or not a positive number.")
BAD_PAGE_SIZE = _error("`page_size` is not a whole number from 1 to the maximum.")
UNKNOWN_SHEET = _error("No published fact sheet has this slug (never published, or no such sheet).")
WITHDRAWN = _error("The fact sheet was withdrawn by an editor; the message gives the date and the reason.")
NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` / `If-Modified-Since` validators match.")
SLUG_PARAM = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=s.SLUG_PATTERN, description="The sheet's slug.",
    examples=[OpenApiExample("A sheet", value="methotrexate")],
)
NUMBER_PARAM = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="A published version number (1, 2, ...).",
    examples=[OpenApiExample("First version", value=1)],
)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw == "":  # DRF would read an empty page as the first; it is as malformed as "abc"
            raise NotFound("Invalid page: give a page number from 1, or leave the parameter out.")
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        """The requested page size, refused (400) rather than silently clamped or ignored when it is not a
        whole number from 1 to the maximum: a client asking for 500 must learn it gets 100."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page_size["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        page_size["description"] = (
            f"Results per page, {self.page_size} unless given; a whole number from 1 to {self.max_page_size} "
            "(anything else answers 400)."
        )
        return [page, page_size]


# The live pointer --------------------------------------------------------------------------------


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _content_key(revision: FactSheetRevision, sheet_fp: str, *, as_version: bool) -> str:
    review_fp = _fingerprint(revision.last_reviewed_on, revision.next_review_due)
    kind = "version" if as_version else "live"
    return f"factsheets:api:v1:{kind}:{revision.pk}:{revision.content_hash}:{sheet_fp}:{review_fp}"


def _load_pointer(slug: str) -> tuple[dict | None, FactSheet | None]:
    """The cached pointer of `slug`, or build it (1-2 queries) and return the loaded sheet too.

    Returns (None, None) for a slug no sheet has; that is not cached, so random slugs cannot fill it.
    """
    key = live_pointer_key(slug)  # before reading the database: a concurrent publish renews the generation
    pointer = cache.get(key)
    if pointer is not None:
        return pointer, None
    sheet = FactSheet.objects.select_related("live_revision").filter(slug=slug).first()
    if sheet is None:
        return None, None
    if sheet.withdrawn_at is not None:
        pointer = {
            "state": "withdrawn",
            "sheet_id": sheet.pk,
            "message": f"This fact sheet was withdrawn on {sheet.withdrawn_at.date().isoformat()}. "
            f"Reason: {sheet.withdrawal_reason}",
        }
    elif sheet.live_revision is None:
        pointer = {"state": "unpublished", "sheet_id": sheet.pk}
    else:
        prefetch_related_objects([sheet], "conditions")
        sheet_fp = _fingerprint(sheet.generic_name, sheet.brand_names, [(c.slug, c.name) for c in sheet.conditions.all()])
        pointer = {
            "state": "live",
            "sheet_id": sheet.pk,
            "sheet_fp": sheet_fp,
            "revision_id": sheet.live_revision.pk,
            "live_key": _content_key(sheet.live_revision, sheet_fp, as_version=False),
        }
    cache.set(key, pointer, settings.FACTSHEETS_LIVE_POINTER_TIMEOUT)
    return pointer, sheet


def _live_pointer(slug: str) -> tuple[dict, FactSheet | None]:
    """The pointer of a sheet that has published content; 404 or 410 otherwise."""
    pointer, sheet = _load_pointer(slug)
    if pointer is None or pointer["state"] == "unpublished":
        raise NotFound(NOT_FOUND_MESSAGE)
    if pointer["state"] == "withdrawn":
        raise Gone(pointer["message"])
    return pointer, sheet


# Cached revision JSON ----------------------------------------------------------------------------


def _serialize(revision: FactSheetRevision, sheet: FactSheet | None, *, as_version: bool) -> dict:
    if sheet is not None:
        revision.fact_sheet = sheet  # conditions already prefetched with the pointer
        prefetch_related_objects([revision], "sections")
    else:
        prefetch_related_objects([revision], "sections", "fact_sheet__conditions")
    data = s.FactSheetRevisionSerializer(revision, context={"as_version": as_version}).data
    return json.loads(json.dumps(data))  # plain dicts and lists: safe to pickle into any cache


def _cached_entry(key: str, build) -> dict:
    entry = cache.get(key)
    if entry is None:
        data = build()
        body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        entry = {
            "data": data,
            "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            # Built after any change it reflects, so a client's If-Modified-Since never hides a change.
            "last_modified": int(time.time()),
        }
        cache.set(key, entry, REVISION_CACHE_TIMEOUT)
    return entry


def _conditional_response(request, entry: dict):
    headers = {
        "ETag": entry["etag"],
        "Last-Modified": http_date(entry["last_modified"]),
        "Cache-Control": f"public, max-age={settings.FACTSHEETS_API_MAX_AGE}",
    }
    not_modified = get_conditional_response(request, etag=entry["etag"], last_modified=entry["last_modified"])
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    return Response(entry["data"], headers=headers)


def _public(response):
    """Published data only: the anonymous response may be cached whole (factsheets.middleware)."""
    response.public_cacheable = True
    return response


# Views -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Live fact sheets, A-Z by title",
        description="Every fact sheet patients can read, with its live version. Withdrawn and never-published "
        "sheets are not listed. Filters combine with AND.",
        parameters=[s.FactSheetFilterSerializer],
        responses={
            200: s.FactSheetListItemSerializer(many=True),
            400: _error("A filter or `page_size` is malformed, e.g. `updated_since=yesterday`."),
            404: BAD_PAGE,
            429: TOO_MANY,
        },
    ),
    retrieve=extend_schema(
        summary="The live version of one fact sheet",
        parameters=[SLUG_PARAM],
        responses={
            200: s.FactSheetRevisionSerializer,
            304: NOT_MODIFIED,
            404: UNKNOWN_SHEET,
            410: WITHDRAWN,
            429: TOO_MANY,
        },
    ),
)
@extend_schema(tags=["fact sheets"])
class FactSheetViewSet(viewsets.ReadOnlyModelViewSet):
    """Published fact sheets. Read-only: any other method answers 405."""

    permission_classes = [AllowAny]
    authentication_classes = []  # public data; no session or CSRF involved
    pagination_class = PageNumberPagination
    serializer_class = s.FactSheetListItemSerializer
    lookup_field = "slug"
    lookup_value_regex = s.SLUG_PATTERN.strip("^$")

    def get_queryset(self):
        return FactSheetRevision.objects.live().select_related("fact_sheet").order_by(Lower("title"), "fact_sheet__slug")

    def list(self, request, *args, **kwargs):
        filters = s.FactSheetFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        q = filters.validated_data.get("q", "").strip()
        if q:
            queryset = queryset.filter(
                Q(title__icontains=q) | Q(fact_sheet__generic_name__icontains=q) | Q(fact_sheet__brand_names__icontains=q)
            )
        if "condition" in filters.validated_data:
            queryset = queryset.filter(fact_sheet__conditions__slug=filters.validated_data["condition"])
        if "updated_since" in filters.validated_data:
            queryset = queryset.filter(updated_on__gte=filters.validated_data["updated_since"])
        page = self.paginate_queryset(queryset)
        return _public(self.get_paginated_response(self.get_serializer(page, many=True).data))

    def retrieve(self, request, slug=None):
        pointer, sheet = _live_pointer(slug)

        def build():
            if sheet is not None:
                revision = sheet.live_revision
            else:
                revision = FactSheetRevision.objects.select_related("fact_sheet").get(pk=pointer["revision_id"])
            return _serialize(revision, sheet, as_version=False)

        return _conditional_response(request, _cached_entry(pointer["live_key"], build))

    @extend_schema(
        summary="Published versions of one fact sheet, newest first",
        parameters=[SLUG_PARAM],
        responses={
            200: s.FactSheetVersionListItemSerializer(many=True),
            400: BAD_PAGE_SIZE,
            404: _error("Unknown or never-published sheet, or a page past the last one."),
            410: WITHDRAWN,
            429: TOO_MANY,
        },
    )
    @action(detail=True, url_path="versions", serializer_class=s.FactSheetVersionListItemSerializer)
    def versions(self, request, slug=None):
        pointer, _sheet = _live_pointer(slug)
        queryset = (
            FactSheetRevision.objects.published()
            .filter(fact_sheet_id=pointer["sheet_id"])
            .select_related("fact_sheet")
            .order_by("-number")
        )
        page = self.paginate_queryset(queryset)
        return _public(self.get_paginated_response(self.get_serializer(page, many=True).data))

    @extend_schema(
        summary="One published version of a fact sheet",
        description="Same shape as the live sheet; `url` is this version's public page.",
        parameters=[SLUG_PARAM, NUMBER_PARAM],
        responses={
            200: s.FactSheetRevisionSerializer,
            304: NOT_MODIFIED,
            404: _error("Unknown sheet, or a version number that was never published."),
            410: WITHDRAWN,
            429: TOO_MANY,
        },
    )
    @action(detail=True, url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request, slug=None, number=None):
        pointer, sheet = _live_pointer(slug)
        number = int(number)
        if not 1 <= number <= MAX_VERSION:
            raise NotFound("This fact sheet has no published version with this number.")
        revision = (
            FactSheetRevision.objects.published()
            .filter(fact_sheet_id=pointer["sheet_id"], number=number)
            .select_related("fact_sheet")
            .first()
        )
        if revision is None:
            raise NotFound("This fact sheet has no published version with this number.")
        key = _content_key(revision, pointer["sheet_fp"], as_version=True)
        return _conditional_response(request, _cached_entry(key, lambda: _serialize(revision, sheet, as_version=True)))


@extend_schema_view(
    list=extend_schema(
        summary="Conditions that have at least one live fact sheet, A-Z",
        responses={200: s.ConditionSerializer(many=True), 400: BAD_PAGE_SIZE, 404: BAD_PAGE, 429: TOO_MANY},
    )
)
@extend_schema(tags=["conditions"])
class ConditionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []
    pagination_class = PageNumberPagination
    serializer_class = s.ConditionSerializer

    def get_queryset(self):
        # One filter() call: the live and not-withdrawn tests apply to the same sheet.
        return (
            Condition.objects.filter(fact_sheets__live_revision__isnull=False, fact_sheets__withdrawn_at__isnull=True)
            .distinct()
            .order_by("name")
        )
