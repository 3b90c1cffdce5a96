"""Reading scores: Flesch-Kincaid grade and SMOG index, per section and for a whole revision.

Patient material should read at a 6th to 8th grade level. We show two formulas because they often
disagree by a grade or more on the same text; the *gate* at submission uses one of them, the
Flesch-Kincaid grade of the whole revision (`RevisionReport.grade`), because it is the formula most
guidance and most word processors quote.

What is scored: the Markdown is rendered and stripped to plain text first, so `**bold**`, links and
bullet markers never change a score. Every block (paragraph, list item, heading inside a body, table
cell) counts as its own sentence: a bullet without a full stop still ends where it ends, instead of
running into the next one. The whole revision is the summary, the fast facts and every section body;
titles and section headings are labels, not prose, and are left out.

Spanish text (`language="es"`) gets reading *ease* scores instead, Fernández Huerta and Szigriszt-Pazos
(see `factsheets.plain_language.spanish`, which also says how a committee's grade target applies to them);
English is the default everywhere and its scores are unchanged.

Scores are a pure function of the text, so they are cached under a hash of the text: a submitted or
published revision never changes, and a draft gets a new key as soon as it is edited.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field

import nh3
import textstat
from django.conf import settings
from django.core.cache import cache

from factsheets.content.markdown import render_markdown
from factsheets.plain_language import spanish

CACHE_PREFIX = "readability:v1:"
CACHE_SECONDS = 60 * 60 * 24 * 30
DEFAULT_TARGET = 8.0
LANGUAGES = ("en", "es")

_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|th|td|hr)\b[^>]*>", re.I)
_BLOCK_BREAK = "\u2029"  # paragraph separator: never typed by an author, survives tag stripping
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]\u2019\u201d]*$")


def target_grade() -> float:
    """The grade the admin editor compares against (committees may set their own for the gate)."""
    return float(getattr(settings, "FACTSHEETS_READING_GRADE_TARGET", DEFAULT_TARGET))


def text_blocks(markdown_source: str) -> list[str]:
    """The plain-text blocks of a Markdown body, in order, whitespace normalised."""
    return html_blocks(render_markdown(markdown_source or ""))


def html_blocks(rendered_html: str) -> list[str]:
    """The plain-text blocks of already rendered, sanitised HTML."""
    rendered = _BLOCK_TAG.sub(_BLOCK_BREAK, rendered_html or "")
    plain = html.unescape(nh3.clean(rendered, tags=set()))
    return [" ".join(block.split()) for block in plain.split(_BLOCK_BREAK) if block.strip()]


def section_blocks(section) -> list[str]:
    """A section's blocks from the HTML rendered when it was saved (no second Markdown parse)."""
    return html_blocks(section.body_html) if section.body_html else text_blocks(section.body)


def as_sentences(blocks: list[str]) -> str:
    """Join blocks into one text in which each block ends a sentence."""
    return " ".join(block if _ENDS_SENTENCE.search(block) else f"{block}." for block in blocks)


def plain_text(markdown_source: str) -> str:
    """The text that is scored for a Markdown body."""
    return as_sentences(text_blocks(markdown_source))


@dataclass(frozen=True)
class Scores:
    """Reading scores of one text. Grades are None when there is nothing to score."""

    flesch_kincaid: float | None
    smog: float | None
    words: int

    @property
    def grade(self) -> float | None:
        """The grade the gate compares with a committee's target: Flesch-Kincaid."""
        return self.flesch_kincaid

    def above(self, target: float) -> bool:
        return self.grade is not None and self.grade > float(target)

    def as_api(self) -> dict:
        return {"flesch_kincaid": self.flesch_kincaid, "smog": self.smog}


EMPTY = Scores(flesch_kincaid=None, smog=None, words=0)


@dataclass(frozen=True)
class SpanishScores:
    """Reading ease of one Spanish text (0-100, higher is easier). None when there is nothing to score.

    `grade` is always None (these formulas give no grade); `above(target)` applies a committee's grade target
    as a minimum Szigriszt-Pazos ease (`spanish.minimum_ease`), so callers treat both languages alike.
    """

    fernandez_huerta: float | None
    szigriszt_pazos: float | None
    words: int

    grade = None

    @property
    def ease(self) -> float | None:
        """The ease the gate compares with a committee's target: Szigriszt-Pazos (INFLESZ scale)."""
        return self.szigriszt_pazos

    @property
    def band(self) -> tuple[str, str] | None:
        """(INFLESZ label, school level) in Spanish, e.g. ("normal", "ESO"); None without text."""
        return None if self.ease is None else spanish.inflesz_band(self.ease)

    def above(self, target: float) -> bool:
        """Harder to read than a committee's grade target allows."""
        minimum = spanish.minimum_ease(target)
        return self.ease is not None and minimum is not None and self.ease < minimum

    def as_api(self) -> dict:
        return {"fernandez_huerta": self.fernandez_huerta, "szigriszt_pazos": self.szigriszt_pazos}


EMPTY_ES = SpanishScores(fernandez_huerta=None, szigriszt_pazos=None, words=0)
SPANISH_CACHE_PREFIX = "readability:es:v1:"


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"Reading scores exist for {', '.join(LANGUAGES)}, not {language!r}.")
    return language


def _score_spanish(text: str) -> SpanishScores:
    key = SPANISH_CACHE_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return SpanishScores(*cached)
    counts = spanish.counts(text)
    if not counts.words:
        scores = EMPTY_ES
    else:
        scores = SpanishScores(
            fernandez_huerta=round(spanish.fernandez_huerta(counts), 1),
            szigriszt_pazos=round(spanish.szigriszt_pazos(counts), 1),
            words=counts.words,
        )
    cache.set(key, (scores.fernandez_huerta, scores.szigriszt_pazos, scores.words), CACHE_SECONDS)
    return scores


# No word is this long; the hyphenation dictionary behind the syllable count takes time quadratic in the
# length of a word, so longer runs of letters (pasted codes, URLs) are scored by their first part only.
_WORD_MAX = 40
_LONG_WORD = re.compile(r"\S{%d,}" % (_WORD_MAX + 1))


def score_text(text: str, language: str = "en") -> Scores | SpanishScores:
    """Scores of plain text (already stripped of markup), rounded to one decimal, cached by content."""
    check_language(language)
    text = _LONG_WORD.sub(lambda match: match.group(0)[:_WORD_MAX], " ".join((text or "").split()))
    if language == "es":
        return _score_spanish(text) if text else EMPTY_ES
    if not text:
        return EMPTY
    key = CACHE_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return Scores(*cached)
    words = textstat.lexicon_count(text)
    if not words:
        scores = EMPTY
    else:
        scores = Scores(
            flesch_kincaid=round(float(textstat.flesch_kincaid_grade(text)), 1),
            smog=round(float(textstat.smog_index(text)), 1),
            words=words,
        )
    cache.set(key, (scores.flesch_kincaid, scores.smog, scores.words), CACHE_SECONDS)
    return scores


def score_markdown(markdown_source: str, language: str = "en") -> Scores | SpanishScores:
    return score_text(plain_text(markdown_source), language)


def score_section(section, language: str = "en") -> Scores | SpanishScores:
    """Scores of a saved section, from the HTML rendered when it was saved."""
    return score_text(as_sentences(section_blocks(section)), language)


@dataclass(frozen=True)
class SectionScores:
    section_id: int | None
    heading: str
    kind: str
    scores: Scores | SpanishScores


@dataclass(frozen=True)
class RevisionReport:
    """Scores of a whole revision and of each of its sections."""

    overall: Scores | SpanishScores
    sections: list[SectionScores] = field(default_factory=list)

    @property
    def grade(self) -> float | None:
        return self.overall.grade

    def above(self, target) -> bool:
        return self.overall.above(target)


def revision_text(revision) -> str:
    """Everything scored for the whole revision: summary, fast facts, then every section body."""
    blocks = [" ".join((revision.summary or "").split())]
    blocks += [" ".join(str(fact).split()) for fact in (revision.fast_facts or [])]
    for section in _sections(revision):
        blocks += section_blocks(section)
    return as_sentences([b for b in blocks if b])


def _sections(revision):
    # Uses prefetched sections when the caller prefetched them.
    return sorted(revision.sections.all(), key=lambda s: (s.position, s.pk or 0))


def revision_report(revision, language: str = "en") -> RevisionReport:
    """Reading scores of a revision (saved or not yet changed since the last save), in `language`."""
    sections = [
        SectionScores(section_id=s.pk, heading=s.heading, kind=s.kind, scores=score_section(s, language))
        for s in _sections(revision)
    ]
    return RevisionReport(overall=score_text(revision_text(revision), language), sections=sections)


@dataclass(frozen=True)
class Comparison:
    """The overall scores of a revision next to those of the version it would replace."""

    before: Scores | SpanishScores | None
    after: Scores | SpanishScores

    @property
    def change(self) -> float | None:
        """After minus before, in grades (negative is easier to read)."""
        if self.before is None or self.before.grade is None or self.after.grade is None:
            return None
        return round(self.after.grade - self.before.grade, 1)

    @property
    def ease_change(self) -> float | None:
        """Spanish only: after minus before, in Szigriszt-Pazos ease (positive is easier to read)."""
        before, after = getattr(self.before, "ease", None), getattr(self.after, "ease", None)
        if before is None or after is None:
            return None
        return round(after - before, 1)

    @property
    def easier(self) -> bool:
        if self.ease_change is not None:
            return self.ease_change > 0
        return self.change is not None and self.change < 0

    @property
    def harder(self) -> bool:
        if self.ease_change is not None:
            return self.ease_change < 0
        return self.change is not None and self.change > 0


def compare(old, new, language: str = "en") -> Comparison:
    """Compare two revisions in the same language; `old` is None for a first version."""
    before = revision_report(old, language).overall if old is not None else None
    return Comparison(before=before, after=revision_report(new, language).overall)


def reading_grade(revision, language: str = "en") -> dict:
    """The API's `reading_grade` of a revision: {"flesch_kincaid": x, "smog": y} (null when no text);
    for Spanish {"fernandez_huerta": x, "szigriszt_pazos": y}."""
    return revision_report(revision, language).overall.as_api()
