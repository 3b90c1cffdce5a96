"""Models that support content without being signed: the glossary and the search index."""

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from factsheets.content.languages import Language
from factsheets.content.validators import no_nul_bytes
from factsheets.models.sheets import FactSheet


class GlossaryTerm(models.Model):
    """A medical word with the plain words patients use instead; highlighted in previews and reviews."""

    Language = Language

    language = models.CharField(
        max_length=2,
        choices=Language,
        default=Language.ENGLISH,
        help_text="The language of the term and its plain words; only texts in this language are checked for it.",
    )
    term = models.CharField(
        max_length=100,
        validators=[no_nul_bytes],
        help_text="The jargon as written, singular, e.g. “subcutaneous” or “adverse event”. Plurals match too.",
    )
    plain = models.CharField(
        max_length=200, validators=[no_nul_bytes], help_text="What to write instead, e.g. “under the skin”."
    )
    note = models.TextField(
        blank=True,
        max_length=1000,
        validators=[no_nul_bytes, MaxLengthValidator(1000)],
        help_text="Optional advice for authors, shown with the hint.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "term"]
        verbose_name = "glossary term"
        constraints = [
            models.UniqueConstraint(
                Lower("term"),
                "language",
                name="glossary_term_unique_per_language",
                violation_error_message=(
                    "This term is already in the glossary in this language (spelling is compared without case)."
                ),
            ),
        ]

    def __str__(self):
        if self.language == self.Language.ENGLISH:
            return f"{self.term} → {self.plain}"
        return f"{self.term} → {self.plain} ({self.language})"

    def clean(self):
        self.term = " ".join((self.term or "").split())
        self.plain = " ".join((self.plain or "").split())


class EditionSearchIndex(models.Model):
    """Search text of one edition's live version (a sheet in one language), denormalised when a version goes live
    (factsheets.public.search).

    `document` (PostgreSQL, GIN-indexed): the weighted tsvector that search matches and ranks on, built with the
    text-search configuration of the edition's language (`languages.SEARCH_CONFIGS`);
    `text` (every database): the same text lower-cased in one column, for the substring fallback.
    Not content: no history, rebuilt from the live versions whenever one of them changes.
    """

    fact_sheet = models.ForeignKey(FactSheet, on_delete=models.CASCADE, related_name="search_entries")
    language = models.CharField(max_length=8, choices=Language, default=Language.ENGLISH)
    text = models.TextField(blank=True)
    document = SearchVectorField(null=True)

    class Meta:
        verbose_name = "search index entry"
        verbose_name_plural = "search index entries"
        constraints = [
            models.UniqueConstraint(fields=["fact_sheet", "language"], name="one_search_entry_per_edition"),
        ]

    def __str__(self):
        return f"search text of sheet {self.fact_sheet_id} ({self.language})"
