"""`/infobutton/`: the HL7 Context-Aware Knowledge Retrieval (Infobutton) URL-based request, answered from
live sheets only.

An EHR sends the code of a medication or a problem (`mainSearchCriteria.v.c`) with its code system's OID
(`mainSearchCriteria.v.cs`), optionally its display name (`.v.dn`, searched when no code matches), the
patient's language (`informationRecipient.languageCode.c`) and the answer it wants (`knowledgeResponseType`:
Atom `text/xml` by default, `application/json` shaped like MedlinePlus Connect's, or `text/html`, the
"web application" mode a browser gets by its Accept header: one match redirects to the sheet, several show
a chooser). Drug codes match the codes a version was signed with; problem codes match conditions (an
ICD-10-CM category matches every code within it) and list the live sheets whose live version names them.

A Spanish request gets each matching sheet's live Spanish edition where it has one and the English version
otherwise; every entry and the feed say which language was served. Bad parameters answer
400 with a message in the requested format; a request that matches nothing gets an empty, valid feed.
Rate-limited like the API (DRF's anonymous throttle); cache headers as on the public pages.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, TextField
from django.db.models.functions import Cast, Lower
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from factsheets.content import codes
from factsheets.api.serializers import page_path, sheet_page_url
from factsheets.models import Condition, FactSheetRevision
from factsheets.content import languages
from factsheets.public.views import make_public

CODE, SYSTEM, NAME = "mainSearchCriteria.v.c", "mainSearchCriteria.v.cs", "mainSearchCriteria.v.dn"
LANGUAGE_PARAM, TYPE_PARAM = "informationRecipient.languageCode.c", "knowledgeResponseType"
ATOM, JSON, HTML = "text/xml", "application/json", "text/html"
RESPONSE_TYPES = (ATOM, JSON, HTML)
LANGUAGES = {"en": "English", "es": "Spanish"}
MAX_ENTRIES = 50
MAX_NAME_LENGTH = 200
ATOM_NS = "http://www.w3.org/2005/Atom"
EXT_NS = "urn:factsheets:infobutton"  # our extension elements: the reviewed date and the language served
CONTENT_TYPES = {
    ATOM: "application/atom+xml; charset=utf-8",
    JSON: "application/json",
    HTML: "text/html; charset=utf-8",
}


class BadRequest(Exception):
    def __init__(self, message: str, response_type: str):
        super().__init__(message)
        self.message, self.response_type = message, response_type


@dataclass(frozen=True)
class Query:
    system: str  # one of codes.DRUG_SYSTEMS / CONDITION_SYSTEMS, or "" for a display name alone
    codes: tuple[str, ...]  # normal forms the code may stand for
    display_name: str
    language: str
    response_type: str

    def describe(self) -> str:
        if self.system:
            return f"{codes.LABELS[self.system]} {self.codes[0]}" + (
                f" ({self.display_name})" if self.display_name else ""
            )
        return f"“{self.display_name}”"


def _response_type(request) -> str:
    asked = request.GET.get(TYPE_PARAM)
    if asked is None:
        # A browser following a link from the EHR gets the web application; an EHR's client gets Atom.
        return HTML if "text/html" in request.headers.get("Accept", "") else ATOM
    if asked.strip() not in RESPONSE_TYPES:
        raise BadRequest(
            f"{TYPE_PARAM} must be one of {', '.join(RESPONSE_TYPES)}; “{asked[:50]}” is not supported.", ATOM
        )
    return asked.strip()


def parse(request) -> Query:
    """The request's parameters, checked; raises BadRequest with a message for the EHR's administrator."""
    response_type = _response_type(request)

    def bad(message):
        return BadRequest(message, response_type)

    for name in (SYSTEM, LANGUAGE_PARAM):
        if name in request.GET and not request.GET[name].strip():
            raise bad(f"{name} is empty: give a value or leave the parameter out.")
    language = request.GET.get(LANGUAGE_PARAM, "en").strip()
    if language not in LANGUAGES:
        raise bad(f"{LANGUAGE_PARAM} must be “en” or “es”.")
    raw_code, oid = request.GET.get(CODE, "").strip(), request.GET.get(SYSTEM, "").strip()
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in request.GET.get(NAME, "")).split())
    if len(name) > MAX_NAME_LENGTH:
        raise bad(f"{NAME} is longer than {MAX_NAME_LENGTH} characters.")
    if oid and oid not in codes.OIDS:
        known = "; ".join(f"{o} ({codes.LABELS[s]})" for o, s in codes.OIDS.items())
        raise bad(f"{SYSTEM} “{oid[:80]}” is not a code system this service knows. Known: {known}.")
    if raw_code and not oid:
        raise bad(f"{CODE} needs its code system in {SYSTEM} (an OID such as 2.16.840.1.113883.6.88 for RxNorm).")
    if oid and not raw_code:
        raise bad(f"{SYSTEM} is given without a code: send the code in {CODE}.")
    if not raw_code and not name:
        raise bad(f"Send a code ({CODE} with {SYSTEM}) or a display name ({NAME}).")
    system, candidates = codes.OIDS.get(oid, ""), ()
    if system:
        try:
            candidates = tuple(
                codes.ndc_candidates(raw_code) if system == codes.NDC else [codes.NORMALISERS[system](raw_code)]
            )
        except ValidationError as error:
            raise bad(" ".join(error.messages)) from None
        if system == codes.ICD10CM:
            candidates = tuple(codes.icd10cm_ancestors(candidates[0]))
    return Query(system, candidates, name, language, response_type)


# Matching -----------------------------------------------------------------------------------------


def _has_any_code(field: str, wanted) -> Q:
    """Rows whose JSON list `field` holds one of `wanted`. Codes contain no quotes, so the quoted code in the
    list's JSON text is an exact match on SQLite and PostgreSQL alike (see `_with_code_text`)."""
    match = Q()
    for code in wanted:
        match |= Q(**{f"{field}_text__contains": json.dumps(code)})
    return match


def _with_code_text(queryset, *fields):
    return queryset.alias(**{f"{field}_text": Cast(field, TextField()) for field in fields})


def _live_versions():
    return FactSheetRevision.objects.live().select_related("fact_sheet").order_by(Lower("title"), "fact_sheet__slug")


def _condition_versions(conditions):
    return _live_versions().filter(conditions__in=conditions).distinct()


def find(query: Query) -> list[FactSheetRevision]:
    """Live versions matching the query (matched on the English version, whose codes and names are the sheet's):
    each in the requested language where the sheet has a live edition in it, else in English. At most MAX_ENTRIES."""
    found = _find_english(query)
    if not languages.is_translation(query.language) or not found:
        return found
    translated = {
        revision.fact_sheet_id: revision
        for revision in FactSheetRevision.objects.live(query.language)
        .filter(fact_sheet_id__in=[r.fact_sheet_id for r in found])
        .select_related("fact_sheet")
    }
    return [translated.get(revision.fact_sheet_id, revision) for revision in found]


def _find_english(query: Query) -> list[FactSheetRevision]:
    found = []
    if query.system in codes.DRUG_SYSTEMS:
        found = list(
            _with_code_text(_live_versions(), query.system).filter(_has_any_code(query.system, query.codes))[
                :MAX_ENTRIES
            ]
        )
    elif query.system in codes.CONDITION_SYSTEMS:
        conditions = _with_code_text(Condition.objects.all(), query.system).filter(
            _has_any_code(query.system, query.codes)
        )
        found = list(_condition_versions(conditions)[:MAX_ENTRIES])
    if found or not query.display_name:
        return found
    name = query.display_name
    if query.system in codes.CONDITION_SYSTEMS:
        return list(_condition_versions(Condition.objects.filter(name__iexact=name))[:MAX_ENTRIES])
    by_drug = Q(title__icontains=name) | Q(generic_name__iexact=name) | Q(brand_names__icontains=name)
    if not query.system:
        by_drug |= Q(conditions__name__iexact=name)
    return list(_live_versions().filter(by_drug).distinct()[:MAX_ENTRIES])


# Answers ------------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _entry(revision: FactSheetRevision) -> dict:
    slug = revision.fact_sheet.slug
    return {
        "title": revision.title,
        "language": revision.language,
        "url": sheet_page_url(slug, revision.language),
        # the chooser page links within the site it is on
        "path": page_path("factsheets:detail", [slug], revision.language),
        "summary": revision.summary,
        "updated": _utc(revision.published_at),
        "reviewed": revision.last_reviewed_on.isoformat() if revision.last_reviewed_on else None,
        "version": revision.number,
    }


def _feed(query: Query, revisions, request) -> dict:
    entries = [_entry(r) for r in revisions]
    untranslated = sum(entry["language"] != query.language for entry in entries)
    verb = "has" if untranslated == 1 else "have"
    # The feed's language: the one asked for when at least one entry is in it (each entry says its own).
    served = query.language if untranslated < len(entries) else languages.SOURCE
    note = ""
    if query.language != served:
        note = f" No {LANGUAGES[query.language]} edition exists yet; these sheets are in {LANGUAGES[served]}."
    elif untranslated:
        note = (
            f" {untranslated} of them {verb} no {LANGUAGES[query.language]} edition yet and {'is' if untranslated == 1 else 'are'} in "
            f"{LANGUAGES[languages.SOURCE]}."
        )
    moments = [r.published_at for r in revisions if r.published_at]
    return {
        "title": f"{settings.FACTSHEETS_SITE_NAME}: fact sheets for {query.describe()}",
        "id": settings.SITE_URL + request.get_full_path(),
        "updated": _utc(max(moments) if moments else timezone.now().replace(microsecond=0)),
        "subtitle": (
            f"{len(entries)} fact sheet(s) approved by a review committee."
            if entries
            else "No published fact sheet matches this request."
        )
        + note,
        "language_requested": query.language,
        "language_served": served,
        "untranslated": untranslated,
        "entries": entries,
    }


def atom(feed: dict) -> bytes:
    """Atom 1.0 (RFC 4287): feed id/title/updated/author, entries with id/title/link/updated/summary."""
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("fs", EXT_NS)

    def sub(parent, tag, text=None, ns=ATOM_NS, **attrs):
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed["language_served"]})
    for tag in ("title", "id", "updated", "subtitle"):
        sub(root, tag, feed[tag])
    sub(sub(root, "author"), "name", settings.FACTSHEETS_SITE_NAME)
    sub(root, "language", feed["language_served"], ns=EXT_NS, requested=feed["language_requested"])
    for entry in feed["entries"]:
        item = sub(root, "entry")
        if entry["language"] != feed["language_served"]:
            item.set("{http://www.w3.org/XML/1998/namespace}lang", entry["language"])
        sub(item, "id", entry["url"])
        sub(item, "title", entry["title"], type="text")
        sub(item, "link", href=entry["url"], rel="alternate", type="text/html", hreflang=entry["language"])
        sub(item, "updated", entry["updated"])
        sub(item, "summary", entry["summary"], type="text")
        if entry["reviewed"]:
            sub(item, "lastReviewed", entry["reviewed"], ns=EXT_NS)
        sub(item, "language", entry["language"], ns=EXT_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def as_json(feed: dict) -> dict:
    """The Atom feed in MedlinePlus Connect's JSON shape: {"feed": {..., "entry": [...]}}, text in `_value`."""
    lang = feed["language_served"]
    return {
        "feed": {
            "lang": lang,
            "title": {"_value": feed["title"], "type": "text"},
            "id": {"_value": feed["id"]},
            "updated": {"_value": feed["updated"]},
            "subtitle": {"_value": feed["subtitle"], "type": "text"},
            "author": {"name": {"_value": settings.FACTSHEETS_SITE_NAME}},
            "language": {"requested": feed["language_requested"], "served": lang},
            "entry": [
                {
                    "lang": e["language"],
                    "id": {"_value": e["url"]},
                    "title": {"_value": e["title"], "type": "text"},
                    "link": [{"href": e["url"], "rel": "alternate", "type": "text/html", "hreflang": e["language"]}],
                    "updated": {"_value": e["updated"]},
                    "summary": {"_value": e["summary"], "type": "text"},
                    "lastReviewed": {"_value": e["reviewed"]},
                }
                for e in feed["entries"]
            ],
        }
    }


def _error(request, error: BadRequest) -> HttpResponse:
    if error.response_type == JSON:
        body = json.dumps({"status": 400, "message": error.message}, ensure_ascii=False)
        return HttpResponse(body, status=400, content_type=CONTENT_TYPES[JSON])
    if error.response_type == HTML:
        return render(request, "factsheets/infobutton.html", {"error": error.message}, status=400)
    root = ET.Element("error")
    ET.SubElement(root, "status").text = "400"
    ET.SubElement(root, "message").text = error.message
    return HttpResponse(
        ET.tostring(root, encoding="utf-8", xml_declaration=True),
        status=400,
        content_type="application/xml; charset=utf-8",
    )


class _AlwaysJSON(BaseContentNegotiation):
    """An EHR may send any Accept header; the view picks its format from the parameters. DRF renders only its
    own errors here (429), as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


def _parameter(name, description, enum=None):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description, enum=enum)


class InfobuttonView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    content_negotiation_class = _AlwaysJSON

    @extend_schema(
        tags=["infobutton"],
        summary="HL7 Infobutton knowledge request: live fact sheets for a drug or problem code",
        description="URL-based Context-Aware Knowledge Retrieval request. Send a code with its code system's OID, "
        "or a display name. Atom is the default answer; `application/json` mirrors it in MedlinePlus Connect's "
        "shape; `text/html` (or a browser's Accept header) redirects to the one matching sheet or lists several.",
        parameters=[
            _parameter(CODE, "The code, e.g. an RXCUI, an NDC (with or without dashes) or an ICD-10-CM code."),
            _parameter(
                SYSTEM,
                "OID of the code system: " + "; ".join(f"{o} {codes.LABELS[s]}" for o, s in codes.OIDS.items()),
                enum=list(codes.OIDS),
            ),
            _parameter(NAME, "Display name; searched when no code matches (or when no code is sent)."),
            _parameter(
                LANGUAGE_PARAM,
                "Patient's language. With `es`, each sheet that has a live Spanish edition is served in Spanish (its "
                "Spanish page and text), the others in English; each entry's `lang` and the feed's "
                "`language.served` say which.",
                enum=list(LANGUAGES),
            ),
            _parameter(TYPE_PARAM, "Answer format; default Atom (`text/xml`).", enum=list(RESPONSE_TYPES)),
        ],
        responses={
            (200, "application/atom+xml"): OpenApiResponse(
                OpenApiTypes.STR, description="Atom 1.0 feed (may be empty)."
            ),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The feed as JSON: `feed.entry[]`."
            ),
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="Chooser page (several or no matches)."),
            302: OpenApiResponse(description="Web application mode, one match: redirect to the sheet."),
            (400, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="Bad parameters (Atom requests)."),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Bad parameters (JSON requests)."
            ),
            (400, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="Bad parameters (web application)."),
            (429, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests."),
        },
    )
    def get(self, request):
        try:
            query = parse(request)
        except BadRequest as error:
            return _error(request, error)
        revisions = find(query)
        if query.response_type == HTML and len(revisions) == 1:
            response = HttpResponseRedirect(_entry(revisions[0])["path"])
        elif query.response_type == HTML:
            feed = _feed(query, revisions, request)
            response = render(request, "factsheets/infobutton.html", {"feed": feed, "query": query})
        elif query.response_type == JSON:
            body = json.dumps(as_json(_feed(query, revisions, request)), ensure_ascii=False)
            response = HttpResponse(body, content_type=CONTENT_TYPES[JSON])
        else:
            response = HttpResponse(atom(_feed(query, revisions, request)), content_type=CONTENT_TYPES[ATOM])
        patch_vary_headers(response, ["Accept"])  # without knowledgeResponseType, the format follows Accept
        return make_public(response)


infobutton = InfobuttonView.as_view()
