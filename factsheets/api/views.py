"""Read-only endpoints over published content (DESIGN.md "JSON API").

A detail or version response is the stored rendition's document of that version (made once at
submission, what the committee signed) plus its workflow record: one query, no serializer, no Markdown.
Whole anonymous responses are cached by factsheets.public.middleware under the site-wide generation.
"""

import datetime as dt
import logging
import hashlib
import json
import re

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.db.models.functions import Lower
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, pagination, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from factsheets.public import http_cache

from factsheets.content import languages, selectors
from factsheets.public import rendition as renditions
from factsheets.models import FactSheet, FactSheetRevision

from factsheets.api import serializers as s
from factsheets.api.errors import EditionNotFound, EditionNotFoundSerializer, ErrorSerializer, Gone

logger = logging.getLogger(__name__)

MAX_VERSION = 2**31 - 1

NOT_FOUND_MESSAGE = "No published fact sheet has this address."
DETAIL_FIELDS = s.FactSheetRevisionSerializer.Meta.fields


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


TOO_MANY = _error("Too many requests from this address; retry after the number of seconds in `Retry-After`.")
BAD_PAGE = _error("The page number is past the last page or not a positive number.")
BAD_PAGE_SIZE = _error("`page_size` is not a whole number from 1 to the maximum.")
UNKNOWN_SHEET = _error("No published fact sheet has this slug (never published, or no such sheet).")
BAD_LANGUAGE = _error("`language` is not one of the languages fact sheets are published in (the message names them).")
NO_EDITION = OpenApiResponse(
    EditionNotFoundSerializer,
    description="No published fact sheet has this slug; or, with `language`, the sheet has no live edition in that "
    "language (`editions` then lists those it has).",
)
WITHDRAWN = _error("The fact sheet was withdrawn by an editor; the message gives the date and the reason.")
NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` / `If-Modified-Since` validators match.")
ACCEPT_LANGUAGE_PARAM = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Used only without `language`: Spanish when the client ranks `es` (or `es-*`) above English (and, "
    "for one sheet, it has a live Spanish edition), else English. The answer then says `Vary: Accept-Language`.",
    examples=[OpenApiExample("Prefers Spanish", value="es-MX,es;q=0.9,en;q=0.5")],
)
SLUG_PARAM = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=s.SLUG_PATTERN,
    description="The sheet's slug.",
    examples=[OpenApiExample("A sheet", value="methotrexate")],
)
NUMBER_PARAM = OpenApiParameter(
    "number",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A published version number (1, 2, ...).",
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


# Detail documents --------------------------------------------------------------------------------


def _utc(moment) -> str | None:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if moment else None


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def live_numbers(sheet: FactSheet) -> dict[str, int]:
    """Language -> number of the version of `sheet` live in it, English first: the sheet's editions. No query when
    the sheet was read with `selectors.with_live_translations` and its live revision (as `_sheet` reads it)."""
    if not all(hasattr(sheet, f"live_{code}") for code in languages.TRANSLATIONS):
        sheet = (
            selectors.with_live_translations(FactSheet.objects.filter(pk=sheet.pk))
            .select_related("live_revision")
            .get()
        )
    numbers = {languages.SOURCE: sheet.live_revision.number}
    numbers.update({code: getattr(sheet, f"live_{code}") for code in languages.TRANSLATIONS})
    return {code: number for code, number in numbers.items() if number is not None}


def _edition_fields(revision: FactSheetRevision, *, sheet: FactSheet, live: dict[str, int]) -> dict:
    """`translation_of` and `editions` of a detail: what it is a translation of, and where the other editions are.
    Not part of the stored rendition: they change when another edition is published."""
    translation_of = None
    if revision.is_translation:
        source = revision.translation_of
        translation_of = {
            "version": source.number,
            "url": s.api_version_url(sheet.slug, source.number, languages.SOURCE),
            "current": revision.translation_of_id == sheet.live_revision_id,
        }
    editions = [
        {"language": code, "version": number, "url": s.api_detail_url(sheet.slug, code)}
        for code, number in live.items()
    ]
    return {"translation_of": translation_of, "editions": editions}


def detail_document(revision: FactSheetRevision, *, sheet: FactSheet, as_version: bool) -> dict:
    """The API detail of a published version: its stored rendition's document (the content as signed, with
    the HTML as rendered at submission) plus the workflow record (version, dates, committee, address) and the
    sheet's editions. Field by field, this is `FactSheetRevisionSerializer`, which documents it in the schema."""
    slug = sheet.slug
    # Every version submitted since renditions exist has one; an older row that somehow lacks it is rendered
    # from its frozen content by the same code, as its public page is (factsheets.public.pages.sheet_body).
    stored = revision.rendition if revision.rendition_id else None
    if stored is None:
        logger.error(
            "API: live version %s of %s has no stored rendition; rendered from its frozen content",
            revision.number,
            slug,
        )
        stored = renditions.render(revision)
    document = json.loads(stored.document)
    document.setdefault("codes", renditions.document_field(document, "codes"))
    document.update(
        slug=slug,
        version=revision.number,
        reviewed_by={"name": revision.reviewed_by_name},
        updated_on=_iso(revision.updated_on),
        last_reviewed_on=_iso(revision.last_reviewed_on),
        next_review_due=_iso(revision.next_review_due),
        published_at=_utc(revision.published_at),
        rendition_hash=stored.rendition_hash,
        url=(
            s.version_page_url(slug, revision.number, revision.language)
            if as_version
            else s.sheet_page_url(slug, revision.language)
        ),
        **_edition_fields(revision, sheet=sheet, live=live_numbers(sheet)),
    )
    return {key: document[key] for key in DETAIL_FIELDS}


def _sheet(slug: str) -> FactSheet:
    """The sheet with published content at `slug` (one query: its live English version and rendition joined, the
    number of its live version in every other language annotated); 404 or 410."""
    sheet = (
        selectors.with_live_translations(FactSheet.objects.filter(slug=slug))
        .select_related("live_revision__rendition")
        .first()
    )
    if sheet is None or sheet.live_revision_id is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    if sheet.withdrawn_at is not None:
        raise Gone(
            f"This fact sheet was withdrawn on {sheet.withdrawn_at.date().isoformat()}. Reason: {sheet.withdrawal_reason}"
        )
    return sheet


def _no_edition(sheet: FactSheet, language: str, what: str) -> EditionNotFound:
    live = live_numbers(sheet)
    names = ", ".join(f"{code} ({languages.Language(code).label})" for code in live)
    return EditionNotFound(
        f"This fact sheet has no {what} in {languages.Language(language).label} ({language}). It can be read in: "
        f"{names}.",
        editions=_edition_fields(sheet.live_revision, sheet=sheet, live=live)["editions"],
    )


def _conditional_response(request, revision: FactSheetRevision, data: dict, *, slug: str):
    """200 with ETag/Last-Modified and the shared-cache headers, or 304 when the client's validators match
    (the one conditional path, factsheets.public.http_cache.conditional). The ETag is the body's, so the
    English and Spanish documents at one address never validate each other."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    reviewed = revision.last_reviewed_on
    moments = [
        m
        for m in (
            revision.published_at,
            reviewed and dt.datetime(reviewed.year, reviewed.month, reviewed.day, tzinfo=dt.timezone.utc),
        )
        if m
    ]
    response = Response(data, headers=_shared_headers(http_cache.sheet_tag(slug)))
    return http_cache.conditional(
        request,
        response,
        etag=hashlib.sha256(body).hexdigest()[:32],
        last_modified=max(moments) if moments else None,
    )


def _shared_headers(tag: str) -> dict[str, str]:
    return http_cache.shared_headers(tags=[tag], max_age=settings.FACTSHEETS_API_MAX_AGE)


def _public_list(response, *, tag: str, shared: bool = True):
    """A list of published data: the anonymous response may be cached whole (factsheets.public.middleware) and,
    unless it answers a reader's own words (`q`: user input, as the search page), by shared caches too, tagged
    with what a publish purges (factsheets.public.http_cache)."""
    response.public_cacheable = True
    if shared:
        for name, value in _shared_headers(tag).items():
            response[name] = value
    return response


# Views -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Live fact sheets, A-Z by title",
        description="Every fact sheet patients can read, with its live version. Withdrawn and never-published "
        "sheets are not listed. Filters combine with AND.",
        parameters=[s.FactSheetFilterSerializer, ACCEPT_LANGUAGE_PARAM],
        responses={
            200: s.FactSheetListItemSerializer(many=True),
            400: _error("A filter, `language` or `page_size` is malformed, e.g. `updated_since=yesterday`."),
            404: BAD_PAGE,
            429: TOO_MANY,
        },
    ),
    retrieve=extend_schema(
        summary="The live version of one fact sheet",
        description="In English, or in the edition `language` names (or `Accept-Language` prefers, when the sheet "
        "has it). `editions` lists the sheet's languages; a translation says which English version it translates "
        "and whether that is still the live one.",
        parameters=[SLUG_PARAM, s.EditionParameterSerializer, ACCEPT_LANGUAGE_PARAM],
        responses={
            200: s.FactSheetRevisionSerializer,
            304: NOT_MODIFIED,
            400: BAD_LANGUAGE,
            404: NO_EDITION,
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

    # The language served (Content-Language) and whether Accept-Language chose it (Vary), set by each action.
    served_language: str | None = None
    negotiated = False

    def get_queryset(self):
        return (
            FactSheetRevision.objects.live(self.served_language or languages.SOURCE)
            .select_related("fact_sheet")
            .order_by(Lower("title"), "fact_sheet__slug")
        )

    def _asked_language(self, parameters=s.EditionParameterSerializer) -> str | None:
        """The validated `language` parameter (400 naming the languages when it is not one), else None."""
        asked = parameters(data=self.request.query_params)
        asked.is_valid(raise_exception=True)
        return asked.validated_data.get("language")

    def _choose_language(self, asked: str | None, available) -> str:
        """`asked`, else the language Accept-Language prefers if `available` has it, else English. Records the
        choice for the response headers; the response cache keys negotiated answers on the same preference
        (factsheets.public.middleware.cache_key)."""
        if asked is not None:
            self.served_language = asked
            return asked
        self.negotiated = True
        preferred = languages.preferred(self.request.headers.get("Accept-Language", ""))
        self.served_language = preferred if preferred in available else languages.SOURCE
        return self.served_language

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.negotiated:
            patch_vary_headers(response, ["Accept-Language"])
        if self.served_language and response.status_code < 400:
            response["Content-Language"] = self.served_language
        return response

    def list(self, request, *args, **kwargs):
        filters = s.FactSheetFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        # A list exists in every language (the sheets with a live version in it), so a preference is always met.
        self._choose_language(filters.validated_data.get("language"), languages.Language.values)
        queryset = self.get_queryset()
        q = filters.validated_data.get("q", "").strip()
        if q:
            queryset = queryset.filter(
                Q(title__icontains=q) | Q(generic_name__icontains=q) | Q(brand_names__icontains=q)
            )
        if "condition" in filters.validated_data:
            queryset = queryset.filter(conditions__slug=filters.validated_data["condition"])
        if "updated_since" in filters.validated_data:
            queryset = queryset.filter(updated_on__gte=filters.validated_data["updated_since"])
        page = self.paginate_queryset(queryset)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        return _public_list(response, tag=http_cache.SITE_TAG, shared=not q)

    def handle_exception(self, exc):
        """A withdrawn sheet's 410 is as public as its pages: shared-cacheable and tagged with the sheet."""
        response = super().handle_exception(exc)
        if isinstance(exc, Gone):
            for name, value in _shared_headers(http_cache.sheet_tag(self.kwargs["slug"])).items():
                response[name] = value
            response.public_cacheable = True
        return response

    def retrieve(self, request, slug=None):
        asked = self._asked_language()
        sheet = _sheet(slug)
        live = live_numbers(sheet)
        language = self._choose_language(asked, live)
        if language not in live:
            raise _no_edition(sheet, language, "live edition")
        revision = sheet.live_revision
        if languages.is_translation(language):
            revision = (
                FactSheetRevision.objects.live(language)
                .filter(fact_sheet_id=sheet.pk)
                .select_related("rendition", "translation_of")
                .first()
            )
            if revision is None:  # unpublished since the sheet was read
                raise _no_edition(sheet, language, "live edition")
        return _conditional_response(
            request, revision, detail_document(revision, sheet=sheet, as_version=False), slug=sheet.slug
        )

    def _versions_sheet(self, slug: str) -> tuple[FactSheet, str]:
        """The sheet and the edition (`language`, English by default) whose versions to serve; 400, 404, 410."""
        asked = self._asked_language(s.VersionsEditionParameterSerializer)
        sheet = _sheet(slug)
        language = self._choose_language(asked or languages.SOURCE, ())
        if language not in live_numbers(sheet):
            raise _no_edition(sheet, language, "published versions")
        return sheet, language

    @extend_schema(
        summary="Published versions of one fact sheet, newest first",
        description="The English edition's versions, or those of the edition `language` names.",
        parameters=[SLUG_PARAM, s.VersionsEditionParameterSerializer],
        responses={
            200: s.FactSheetVersionListItemSerializer(many=True),
            400: _error("`page_size` or `language` is malformed."),
            404: OpenApiResponse(
                EditionNotFoundSerializer,
                description="Unknown or never-published sheet, a page past the last one, or an edition the sheet "
                "does not have (`editions` then lists those it has).",
            ),
            410: WITHDRAWN,
            429: TOO_MANY,
        },
    )
    @action(detail=True, url_path="versions", serializer_class=s.FactSheetVersionListItemSerializer)
    def versions(self, request, slug=None):
        sheet, language = self._versions_sheet(slug)
        queryset = (
            FactSheetRevision.objects.published(language)
            .filter(fact_sheet_id=sheet.pk)
            .select_related("fact_sheet")
            .order_by("-number")
        )
        page = self.paginate_queryset(queryset)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        return _public_list(response, tag=http_cache.sheet_tag(sheet.slug))

    @extend_schema(
        summary="One published version of a fact sheet",
        description="Same shape as the live sheet; `url` is this version's public page. Numbers count within "
        "one edition: `language=es` asks for Spanish version N.",
        parameters=[SLUG_PARAM, NUMBER_PARAM, s.VersionsEditionParameterSerializer],
        responses={
            200: s.FactSheetRevisionSerializer,
            304: NOT_MODIFIED,
            400: BAD_LANGUAGE,
            404: OpenApiResponse(
                EditionNotFoundSerializer,
                description="Unknown sheet, a version number that was never published in this edition, or an "
                "edition the sheet does not have (`editions` then lists those it has).",
            ),
            410: WITHDRAWN,
            429: TOO_MANY,
        },
    )
    @action(detail=True, url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request, slug=None, number=None):
        sheet, language = self._versions_sheet(slug)
        number = int(number)
        missing = "This fact sheet has no published version with this number."
        if languages.is_translation(language):
            missing = f"This fact sheet has no published {languages.Language(language).label} version with this number."
        if not 1 <= number <= MAX_VERSION:
            raise NotFound(missing)
        revision = (
            FactSheetRevision.objects.published(language)
            .filter(fact_sheet_id=sheet.pk, number=number)
            .select_related("rendition", "translation_of")
            .first()
        )
        if revision is None:
            raise NotFound(missing)
        return _conditional_response(
            request, revision, detail_document(revision, sheet=sheet, as_version=True), slug=sheet.slug
        )


@extend_schema_view(
    list=extend_schema(
        summary="Conditions that have at least one live fact sheet, A-Z",
        responses={200: s.ConditionListItemSerializer(many=True), 400: BAD_PAGE_SIZE, 404: BAD_PAGE, 429: TOO_MANY},
    )
)
@extend_schema(tags=["conditions"])
class ConditionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []
    pagination_class = PageNumberPagination
    serializer_class = s.ConditionListItemSerializer

    def get_queryset(self):
        return selectors.conditions_with_live_sheets()

    def list(self, request, *args, **kwargs):
        return _public_list(super().list(request, *args, **kwargs), tag=http_cache.SITE_TAG)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD"])
@permission_classes([AllowAny])
@authentication_classes([])
def api_index(request):
    """`/api/`: where everything is, for a developer who types the address."""
    return Response(
        {
            "factsheets": s.public_url(reverse("api:factsheet-list")),
            "conditions": s.public_url(reverse("api:condition-list")),
            "schema": s.public_url(reverse("api:schema")),
            "docs": s.public_url(reverse("api:docs")),
        }
    )
