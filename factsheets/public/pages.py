"""Building a sheet page: the stored rendition inside chrome that carries no sheet content.

Shared by the public pages, the staff preview and the reviewers' screen, so all three show the same
sheet body. A submitted revision shows its stored rendition as is; a draft (not yet rendered for good)
is rendered on the fly by the same code, so the preview is what its rendition will be.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from factsheets.content import languages, selectors
from factsheets.public import rendition as renditions
from factsheets.models import FactSheet, FactSheetRevision

# Open Graph's locale of a page, by the language of its edition.
OG_LOCALES = {languages.Language.ENGLISH: "en_US", languages.Language.SPANISH: "es_ES"}

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute_url(path: str) -> str:
    """Absolute link for canonical/Open Graph tags; from SITE_URL so cached pages do not depend on the Host."""
    return settings.SITE_URL + path


def page_language() -> str:
    """The edition language of the page being answered: the active language (from its address, /es/...)."""
    code = (translation.get_language() or languages.SOURCE).split("-")[0]
    return code if code in languages.Language.values else languages.SOURCE


def url_in(language: str, name: str, *args) -> str:
    """The address of page `name` in `language` (/es/... for Spanish). Kept for its arguments, the script prefix and
    the URLconf (a list page names each sheet's address in each language: a sitemap page of 5,000 sheets asks for
    15,000 of them)."""
    return _address(language, name, args, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=32_768)  # about 12 MB when full
def _address(language: str, name: str, args: tuple, script_prefix: str, urlconf) -> str:
    with translation.override(language):
        return reverse(name, args=args, urlconf=urlconf)


def forget_addresses() -> None:
    """Drop the addresses url_in keeps (a changed URLconf or language setting; the bench's cold runs)."""
    _address.cache_clear()


def _on_setting_changed(*, setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        forget_addresses()


setting_changed.connect(_on_setting_changed)


def language_links(language: str, urls: dict[str, str]) -> dict:
    """The `hreflang` alternates and the language switch of a page in `language` that also exists in the
    languages of `urls` (language -> path; only editions that exist). The switch leads to the same page in each
    other language, else to that language's index. No alternates for a page in one language only."""
    switch = [
        {"code": code, "name": languages.NATIVE_NAMES[code], "url": urls.get(code) or url_in(code, "factsheets:index")}
        for code in languages.Language.values
        if code != language
    ]
    return {"alternates": alternates(language, urls), "language_switch": switch, "og_locale": OG_LOCALES[language]}


def alternates(language: str, urls: dict[str, str]) -> list[dict]:
    """The `hreflang` alternates (absolute) of a page in `language` that exists in the languages of `urls`, with
    x-default (the English page); none for a page in one language only."""
    if len(urls) <= 1:
        return []
    found = [{"code": code, "url": absolute_url(urls[code])} for code in languages.Language.values if code in urls]
    return [*found, {"code": "x-default", "url": absolute_url(urls.get(languages.SOURCE, urls[language]))}]


def sheet_language_links(sheet: FactSheet, language: str, name: str = "factsheets:detail") -> dict:
    """`language_links` of a sheet's page `name` (detail or versions), to the editions live now. The sheet
    carries `live_<code>` annotations (selectors.with_live_translations) or is read in one more query."""
    if any(not hasattr(sheet, f"live_{code}") for code in languages.TRANSLATIONS):
        live = set(selectors.editions(sheet))
    else:
        live = {languages.SOURCE} | {code for code in languages.TRANSLATIONS if getattr(sheet, f"live_{code}")}
    return language_links(
        language, {code: url_in(code, name, sheet.slug) for code in languages.Language.values if code in live}
    )


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block; <, > and & escaped so no text can close the tag."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES))


def sheet_body(revision: FactSheetRevision, *, sections_html: dict | None = None, fast_facts=None) -> SafeString:
    """The sheet body: the stored rendition once submitted; a fresh rendering of a draft (optionally with a
    preview's jargon marks)."""
    if not revision.is_editable and revision.rendition_id:
        return renditions.body(revision.rendition)
    return mark_safe(renditions.render(revision, sections_html=sections_html, fast_facts=fast_facts).body_html)


def _structured_data(revision: FactSheetRevision, canonical: str) -> dict:
    structured = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.title,
        "description": revision.summary,
        "url": canonical,
        "inLanguage": revision.language,
        "about": {
            "@type": "Drug",
            "name": revision.generic_name,
            "nonProprietaryName": revision.generic_name,
            "proprietaryName": revision.brand_name_list,
        },
    }
    if revision.last_reviewed_on:
        structured["lastReviewed"] = revision.last_reviewed_on.isoformat()
    if revision.reviewed_by_name:
        structured["reviewedBy"] = {"@type": "Organization", "name": revision.reviewed_by_name}
    if revision.updated_on:
        structured["dateModified"] = revision.updated_on.isoformat()
    if revision.published_at:
        structured["datePublished"] = revision.published_at.date().isoformat()
    return structured


def sheet_page_context(revision: FactSheetRevision, *, sheet: FactSheet, preview: bool = False, body=None) -> dict:
    """Everything the sheet template shows, ready to print: the same for the public page and the preview.

    Sheet content comes from the rendition (`body`) and the frozen revision row; the rest (version, dates,
    committee, address) from the revision's workflow record."""
    if revision.is_translation:
        is_live = revision.status == FactSheetRevision.Status.PUBLISHED and sheet.withdrawn_at is None
    else:
        is_live = sheet.live_revision_id == revision.pk and sheet.withdrawn_at is None
    current_url = url_in(revision.language, "factsheets:detail", sheet.slug)
    canonical = absolute_url(current_url if is_live else revision.get_absolute_url())
    return {
        "sheet": sheet,
        "revision": revision,
        "sheet_body": body if body is not None else sheet_body(revision),
        "disclaimer": settings.FACTSHEETS_DISCLAIMER,
        "site_name": settings.FACTSHEETS_SITE_NAME,
        "is_preview": preview,
        "is_live": is_live,
        "canonical_url": canonical,
        "current_url": current_url,
        "current_number": _current_number(revision, sheet),
        "language": revision.language,
        "og_locale": OG_LOCALES[revision.language],
        "stale_notice": _stale_notice(revision, sheet) if not preview else None,
        "json_ld": json_ld(_structured_data(revision, canonical)),
    }


def _current_number(revision: FactSheetRevision, sheet: FactSheet) -> int | None:
    """The number of the version live now in the revision's language."""
    if revision.is_translation:
        return getattr(sheet, f"live_{revision.language}", None)
    return sheet.live_revision.number if sheet.live_revision_id and sheet.live_revision else None


def _stale_notice(revision: FactSheetRevision, sheet: FactSheet) -> dict | None:
    """For a published translation of an earlier English version than the live one: that version's number and
    the current English page."""
    if not revision.is_translation or revision.translation_of_id is None or sheet.live_revision_id is None:
        return None
    if not selectors.is_stale(revision):
        return None
    return {
        "number": revision.translation_of.number,
        "url": url_in(languages.SOURCE, "factsheets:detail", sheet.slug),
    }


def page_fingerprint(context: dict) -> str:
    """Hash of everything a sheet page shows: its ETag."""
    revision, sheet = context["revision"], context["sheet"]
    parts = [
        revision.pk,
        revision.rendition.rendition_hash if revision.rendition_id else revision.content_hash,
        revision.number,
        str(revision.updated_on),
        str(revision.last_reviewed_on),
        str(revision.next_review_due),
        revision.reviewed_by_name,
        sheet.slug,
        context["disclaimer"],
        context["site_name"],
        context["is_live"],
        context["current_number"],
        settings.SITE_URL,
        revision.language,
        context.get("stale_notice"),
        context.get("alternates"),
        context.get("language_switch"),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
