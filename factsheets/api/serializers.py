"""Serializers of the public API. Field lists are explicit and are the contract of DESIGN.md."""

import datetime as dt
import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from factsheets.plain_language import readability
from factsheets.models import Condition, FactSheetRevision, Section
from factsheets.content import languages
from factsheets.content.selectors import printable_text

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def public_url(path: str) -> str:
    """Absolute address of a public page. Built from settings.SITE_URL rather than the request's Host,
    so cached JSON is the same for every caller and never echoes a spoofed host."""
    return f"{settings.SITE_URL}{path}"


def page_path(name: str, args: list, language: str = languages.SOURCE) -> str:
    """The path of public page `name` in `language`."""
    with translation.override(language):  # a Spanish page's address starts /es/ (factsheets.urls.EditionPrefix)
        return reverse(name, args=args)


def sheet_page_url(slug: str, language: str = languages.SOURCE) -> str:
    return public_url(page_path("factsheets:detail", [slug], language))


def version_page_url(slug: str, number: int, language: str = languages.SOURCE) -> str:
    return public_url(page_path("factsheets:version", [slug, number], language))


def api_detail_url(slug: str, language: str) -> str:
    """The API address of a sheet's live version in `language`. The language is always in the address: the
    bare address is negotiated by Accept-Language, so a link must not depend on who follows it."""
    return public_url(f"{reverse('api:factsheet-detail', args=[slug])}?language={language}")


def api_version_url(slug: str, number: int, language: str) -> str:
    path = reverse("api:factsheet-version", kwargs={"slug": slug, "number": number})
    return public_url(path if language == languages.SOURCE else f"{path}?language={language}")


LANGUAGE_LIST = ", ".join(f"{code} ({label})" for code, label in languages.Language.choices)
LANGUAGE_ERROR = (
    f"Enter one of the languages fact sheets are published in: {LANGUAGE_LIST}; or leave the parameter out."
)


@extend_schema_field(OpenApiTypes.DATETIME)
class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with an explicit offset: 2024-05-31T14:03:09+00:00."""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


class StrictDateField(serializers.DateField):
    """A date written exactly as YYYY-MM-DD; anything else is refused with a message saying so."""

    default_error_messages = {"invalid": "Enter the date as YYYY-MM-DD, for example 2024-05-31."}

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.fail("invalid")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail("invalid")


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["slug", "name"]
        extra_kwargs = {
            "slug": {"help_text": "Stable key; use it in the `condition` filter of /api/v1/factsheets/."},
            "name": {"help_text": "As patients know it, e.g. “Rheumatoid arthritis”."},
        }


class ConditionCodesSerializer(serializers.Serializer):
    icd10cm = serializers.ListField(
        child=serializers.CharField(),
        help_text="ICD-10-CM codes, e.g. “M06.9”; a category (“M05”) stands for every code within it.",
    )
    snomedct = serializers.ListField(child=serializers.CharField(), help_text="SNOMED CT concept ids, e.g. “69896004”.")


class ConditionListItemSerializer(ConditionSerializer):
    """A condition in /api/v1/conditions/, with the codes that find it from a problem list."""

    codes = ConditionCodesSerializer(help_text="Codes of this condition; the infobutton at /infobutton/ matches them.")

    class Meta(ConditionSerializer.Meta):
        fields = ["slug", "name", "codes"]


class DrugCodesSerializer(serializers.Serializer):
    rxnorm = serializers.ListField(child=serializers.CharField(), help_text="RxNorm ingredient RXCUIs, e.g. “6851”.")
    atc = serializers.ListField(child=serializers.CharField(), help_text="WHO ATC codes, e.g. “L04AC03”.")
    ndc = serializers.ListField(
        child=serializers.CharField(),
        help_text="NDC product codes, 11 digits written 5-4-2 with dashes, e.g. “00002-1433-80”.",
    )


class SectionSerializer(serializers.ModelSerializer):
    body_markdown = serializers.CharField(source="body", help_text="The section text as written (Markdown).")
    body_html = serializers.CharField(help_text="The same text rendered to sanitised HTML, safe to insert in a page.")

    class Meta:
        model = Section
        fields = ["kind", "heading", "body_markdown", "body_html"]
        extra_kwargs = {
            "kind": {"help_text": "Stable key from a fixed taxonomy; the heading is free text."},
            "heading": {"help_text": "The heading patients see."},
        }


class ReviewedBySerializer(serializers.Serializer):
    name = serializers.CharField(source="reviewed_by_name", help_text="The reviewing committee, as printed.")


class ReadingGradeSerializer(serializers.Serializer):
    flesch_kincaid = serializers.FloatField(
        allow_null=True, help_text="Flesch-Kincaid grade level of the whole version, one decimal; null without text."
    )
    smog = serializers.FloatField(
        allow_null=True, help_text="SMOG index of the whole version, one decimal; null without text."
    )
    # A Spanish version is scored by Spanish formulas; its English grades above are null.
    fernandez_huerta = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Only on a Spanish version: Fernández Huerta reading ease, 0-100 (higher is easier); null "
        "without text.",
    )
    szigriszt_pazos = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Only on a Spanish version: Szigriszt-Pazos reading ease (INFLESZ scale), 0-100 (higher is "
        "easier); null without text.",
    )


class EditionSerializer(serializers.Serializer):
    """One language a sheet can be read in now."""

    language = serializers.ChoiceField(choices=languages.Language.values, help_text="Language (ISO 639-1).")
    version = serializers.IntegerField(help_text="The number of the live version in this language.")
    url = serializers.URLField(help_text="API address of the live version in this language (`?language=` given).")


class TranslationOfSerializer(serializers.Serializer):
    """The English version a translation was made from."""

    version = serializers.IntegerField(help_text="Number of the English version this version translates.")
    url = serializers.URLField(help_text="API address of that English version (/api/v1/factsheets/<slug>/versions/N/).")
    current = serializers.BooleanField(
        help_text="Whether that English version is the live one. False: the English text has changed since, and "
        "this translation is stale (it stays online until an updated translation is approved)."
    )


class FactSheetListItemSerializer(serializers.ModelSerializer):
    """One line of the index: the live version of a sheet."""

    slug = serializers.SlugField(source="fact_sheet.slug", help_text="Stable identifier of the sheet.")
    version = serializers.IntegerField(source="number", help_text="Version number, 1 for the first version.")
    updated_on = serializers.DateField(help_text="The “Updated <Month YYYY>” date of this version.")
    url = serializers.SerializerMethodField(help_text="Absolute address of the public page.")
    language = serializers.SerializerMethodField(
        help_text="Language of this version (ISO 639-1): the edition asked for with `language` or chosen by "
        "`Accept-Language`."
    )

    class Meta:
        model = FactSheetRevision
        fields = ["slug", "title", "version", "updated_on", "language", "url"]

    @extend_schema_field(serializers.ChoiceField(choices=languages.Language.values))
    def get_language(self, revision) -> str:
        return revision.language

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, revision) -> str:
        return sheet_page_url(revision.fact_sheet.slug, revision.language)


class FactSheetVersionListItemSerializer(FactSheetListItemSerializer):
    """One published version of a sheet; `url` is that version's public page."""

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, revision) -> str:
        return version_page_url(revision.fact_sheet.slug, revision.number, revision.language)


class FactSheetRevisionSerializer(serializers.ModelSerializer):
    """A whole published version of a sheet, as patients read it."""

    # The schema of the detail documents; the views build them from the stored rendition
    # (factsheets.api.views.detail_document), and a contract test keeps the two field lists equal.

    slug = serializers.SlugField(source="fact_sheet.slug", help_text="Stable identifier of the sheet.")
    generic_name = serializers.CharField(help_text="Generic drug name, as signed for this version.")
    brand_names = serializers.ListField(
        source="brand_name_list", child=serializers.CharField(), help_text="Brand names, in order, as signed."
    )
    conditions = ConditionSerializer(
        source="used_for",
        many=True,
        help_text="Conditions this version says the drug is used for, with their names as signed.",
    )
    codes = DrugCodesSerializer(help_text="The drug's codes as signed for this version (empty lists when it has none).")
    version = serializers.IntegerField(source="number", help_text="Version number, 1 for the first version.")
    fast_facts = serializers.ListField(child=serializers.CharField(), help_text="The Fast Facts box, in order.")
    sections = SectionSerializer(many=True, help_text="The sections in page order.")
    authors = serializers.CharField(source="credit_line", help_text="Authors as printed, e.g. “D. Patel, MD, PhD”.")
    reviewed_by = ReviewedBySerializer(source="*", help_text="The committee that approved this version.")
    updated_on = serializers.DateField(help_text="The “Updated <Month YYYY>” date.")
    last_reviewed_on = serializers.DateField(help_text="When a committee last approved or reaffirmed it.")
    next_review_due = serializers.DateField(help_text="When the next committee review is due.")
    published_at = UTCDateTimeField(help_text="When this version went live (UTC).")
    content_hash = serializers.CharField(help_text="SHA-256 of the content the committee signed.")
    rendition_hash = serializers.CharField(
        source="rendition.rendition_hash",
        help_text="SHA-256 of the stored rendition (page body and this document's content) the committee signed.",
    )
    language = serializers.ChoiceField(
        choices=languages.Language.values,
        default=languages.SOURCE,
        help_text="Language of this version (ISO 639-1); the `Content-Language` header says the same.",
    )
    translation_of = TranslationOfSerializer(
        allow_null=True,
        help_text="Null for an English version. For a translation: the English version it was made from, and "
        "whether that is still the live English version (`current`).",
    )
    editions = EditionSerializer(
        many=True,
        help_text="Every language the sheet can be read in now (English first), each with the API address of its "
        "live version: the way to a sheet's other editions.",
    )
    url = serializers.SerializerMethodField(
        help_text="Absolute address of the public page (/es/... for a Spanish version)."
    )
    reading_grade = serializers.SerializerMethodField(
        help_text="Reading level of the whole version (summary, fast facts and sections, Markdown stripped): "
        "US school grade by two formulas, which often differ by a grade or more."
    )

    class Meta:
        model = FactSheetRevision
        fields = [
            "slug",
            "title",
            "generic_name",
            "brand_names",
            "conditions",
            "codes",
            "version",
            "summary",
            "fast_facts",
            "sections",
            "authors",
            "reviewed_by",
            "updated_on",
            "last_reviewed_on",
            "next_review_due",
            "published_at",
            "content_hash",
            "rendition_hash",
            "reading_grade",
            "language",
            "translation_of",
            "editions",
            "url",
        ]

    @extend_schema_field(ReadingGradeSerializer)
    def get_reading_grade(self, revision) -> dict:
        return readability.reading_grade(revision)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, revision) -> str:
        if self.context.get("as_version"):
            return version_page_url(revision.fact_sheet.slug, revision.number)
        return sheet_page_url(revision.fact_sheet.slug)


class SearchTextField(serializers.CharField):
    """Free search text: control characters (NUL included) count as spaces, as in the site's search box."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = printable_text(data)
        return super().run_validation(data)


def _language_field(help_text: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=languages.Language.values,
        required=False,
        error_messages={"invalid_choice": LANGUAGE_ERROR},
        help_text=help_text,
    )


class RefusingEmptySerializer(serializers.Serializer):
    """Query parameters where an empty value is malformed (400) rather than read as "not given"."""

    REFUSED_EMPTY: dict[str, str] = {}

    def validate(self, attrs):
        # An empty value is dropped before field validation (it reads as "not given"); refuse it here.
        empty = {
            name: [message] for name, message in self.REFUSED_EMPTY.items() if self.initial_data.get(name, None) == ""
        }
        if empty:
            raise serializers.ValidationError(empty)
        return attrs


class EditionParameterSerializer(RefusingEmptySerializer):
    """`language` on the live sheets and a sheet's live version: which edition to serve."""

    REFUSED_EMPTY = {"language": LANGUAGE_ERROR}

    language = _language_field(
        "The edition to serve: `en` (English) or `es` (Spanish). Without it the `Accept-Language` header chooses: "
        "Spanish when the client ranks it above English and the sheet has a live Spanish edition (the list: the "
        "sheets that have one), English otherwise; such a response says `Vary: Accept-Language`. Every response "
        "says its language in `Content-Language`. Anything else, empty included, answers 400. For one sheet, "
        "`es` when it has no live Spanish edition answers 404 naming the editions it has."
    )


class VersionsEditionParameterSerializer(RefusingEmptySerializer):
    """`language` on a sheet's published versions: version numbers count within one edition."""

    REFUSED_EMPTY = {"language": LANGUAGE_ERROR}

    language = _language_field(
        "The edition whose versions to serve: `en` (English, the default) or `es` (Spanish). Version numbers count "
        "within one edition, so `Accept-Language` does not choose here. Anything else, empty included, answers "
        "400; an edition the sheet does not have answers 404 naming the editions it has."
    )


class FactSheetFilterSerializer(EditionParameterSerializer):
    """Query parameters of /api/v1/factsheets/ (all optional, combined with AND). `q` may be empty; an
    empty `condition`, `updated_since` or `language` is malformed (400), like any other value that is not a
    slug, date or language."""

    REFUSED_EMPTY = {
        "condition": "Enter a condition slug, or leave the parameter out.",
        "updated_since": "Enter the date as YYYY-MM-DD, or leave the parameter out.",
        "language": LANGUAGE_ERROR,
    }

    q = SearchTextField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words to find in the title, generic name or brand names (case-insensitive). Control "
        "characters, NUL included, count as spaces.",
    )
    condition = serializers.RegexField(
        SLUG_PATTERN,
        required=False,
        max_length=200,
        error_messages={
            "invalid": "Enter a condition slug (letters, digits, - and _) as listed by /api/v1/conditions/."
        },
        help_text="Slug of a condition from /api/v1/conditions/. A well-formed slug that matches no condition "
        "gives an empty list, not an error.",
    )
    updated_since = StrictDateField(
        required=False,
        help_text="Only sheets whose live version was updated on or after this date, written YYYY-MM-DD. "
        "Anything else, empty included, answers 400.",
    )
