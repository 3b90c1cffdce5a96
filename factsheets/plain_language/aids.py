"""Ready-to-print plain-language aids for a revision: reading scores and jargon highlights.

Views call `plain_language_context(...)` and pass the result to the templates
`factsheets/_reading_scores.html` and `factsheets/_jargon_legend.html`; templates make no decisions.
The admin editor and the staff preview compare with the setting `FACTSHEETS_READING_GRADE_TARGET`
(default 8); the review page passes the reviewing committee's own `max_reading_grade`.
`language` ("en" by default, or "es") picks the formulas and the glossary; for Spanish the grade target is
applied as a minimum reading ease (`factsheets.plain_language.spanish.minimum_ease`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from factsheets.plain_language import readability, spanish
from factsheets.plain_language.glossary import Glossary, highlight_revision, load_glossary


@dataclass(frozen=True)
class SectionRow:
    section_id: int | None
    heading: str
    scores: readability.Scores | readability.SpanishScores
    above: bool


@dataclass(frozen=True)
class ReadingPanel:
    """What the reading-scores include prints."""

    overall: readability.Scores | readability.SpanishScores
    sections: list[SectionRow]
    target: float
    above: bool
    comparison: readability.Comparison | None
    justification: str
    # Spanish text is scored by reading ease; the grade target then stands for this lowest ease (None: none).
    language: str = "en"
    minimum_ease: float | None = None

    @property
    def spanish(self) -> bool:
        return self.language == "es"


def reading_panel(
    revision, *, target=None, compare_with=None, justification: str = "", language: str = "en"
) -> ReadingPanel:
    """Scores of `revision` against `target` (the setting when None); with `compare_with`, the
    before/after of the whole revision against that (live) revision."""
    target = float(target if target is not None else readability.target_grade())
    prefetch_related_objects([r for r in (revision, compare_with) if r is not None], "sections")
    report = readability.revision_report(revision, language)
    rows = [
        SectionRow(section_id=s.section_id, heading=s.heading, scores=s.scores, above=s.scores.above(target))
        for s in report.sections
    ]
    comparison = None
    if compare_with is not None and compare_with.pk != revision.pk:
        comparison = readability.compare(compare_with, revision, language)
    return ReadingPanel(
        overall=report.overall,
        sections=rows,
        target=target,
        above=report.above(target),
        comparison=comparison,
        justification=justification or "",
        language=language,
        minimum_ease=spanish.minimum_ease(target) if language == "es" else None,
    )


def plain_language_context(
    revision,
    *,
    target=None,
    compare_with=None,
    justification: str = "",
    glossary: Glossary | None = None,
    language: str = "en",
) -> dict:
    """Context for a page showing a revision with its reading scores and jargon marked.

    Keys: `reading` (ReadingPanel), `jargon` (see `glossary.highlight_revision`: highlighted summary,
    fast facts, section bodies by section id, and the hits for the legend), and `highlighted_sections`:
    the revision's sections in order, each with `.highlighted_html` set (safe HTML).
    """
    prefetch_related_objects([revision], "sections")  # one query, however many sections
    glossary = glossary if glossary is not None else load_glossary(language)
    jargon = highlight_revision(revision, glossary)
    sections = list(revision.sections.all())
    for section in sections:
        section.highlighted_html = jargon["sections"].get(section.pk, "")
    return {
        "reading": reading_panel(
            revision, target=target, compare_with=compare_with, justification=justification, language=language
        ),
        "jargon": jargon,
        "highlighted_sections": sections,
    }
