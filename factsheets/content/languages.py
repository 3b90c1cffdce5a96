"""The languages a sheet can be read in: English, the source every translation is made from, and Spanish.

A sheet's versions in one language are its edition in that language: numbered 1..n on their own, one of them
live at a time. A version in another language than the source records the English version it translates
(`FactSheetRevision.translation_of`). More languages need only a choice here (with its search configuration) and its translation catalogue.
"""

import unicodedata

from django.db import models


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


SOURCE = Language.ENGLISH
TRANSLATIONS = tuple(code for code in Language.values if code != SOURCE)

# The language's own name, for a language switch ("Español" on an English page).
NATIVE_NAMES = {Language.ENGLISH: "English", Language.SPANISH: "Español"}


def is_translation(language: str) -> bool:
    return language != SOURCE


def check(language: str) -> str:
    """The language code if enabled, else ValueError naming the enabled ones."""
    if language not in Language.values:
        raise ValueError(f"Fact sheets are written in {', '.join(Language.values)}, not {language!r}.")
    return language


def search_fold(text: str) -> str:
    """`text` lower-cased and without accents ("Inyección" -> "inyeccion", "ñ" -> "n"): how search compares words,
    since readers often type without accents, on a phone or a keyboard without them."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# PostgreSQL's text-search configuration for each language: stemming and stop words of the search index and of
# the queries run against it (factsheets.public.search, selectors.search_live_sheets).
SEARCH_CONFIGS = {Language.ENGLISH: "english", Language.SPANISH: "spanish"}


def preferred(accept_language: str) -> str:
    """The enabled language an `Accept-Language` header ranks highest (`es-MX` counts as `es`); the source
    language when it names none of them, ranks `*` first, or cannot be read."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for tag, quality in parse_accept_lang_header(accept_language or ""):
        if quality <= 0:
            continue
        if tag == "*":
            return SOURCE
        code = tag.split("-")[0]
        if code in Language.values:
            return code
    return SOURCE
