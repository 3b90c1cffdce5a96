"""Jargon hints: find glossary terms in text and mark them, with the plain alternative beside them.

Matching is whole-word and case-insensitive. A multi-word term matches across any whitespace
("adverse  event", "adverse\\nevent"). Simple plurals match: +s, +es, and y -> ies
("injections", "rashes", "therapies"). A term never matches inside a longer word: "renal" is not
found in "adrenal", nor "hepatic" in "hepatically" (that adverb is a different word, so it gets its
own entry if it needs one). Letters, digits, underscores and hyphens count as part of a word, so
"renal" is not found in "renal-cell" either: hyphenated compounds need their own entries.

Highlighting works on HTML that was already sanitised (`Section.body_html`): only text between tags
is touched, never a tag or an attribute, and text inside `code`, `pre` or an existing `mark` is left
alone. Each text node is unescaped, matched and escaped again piece by piece, so neither the source
text nor a glossary entry can inject markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A tag, its attribute values possibly containing ">" inside quotes; comments and declarations too.
_TAG = re.compile(r"""(<!--.*?-->|<(?:[^>"']|"[^"]*"|'[^']*')*>)""", re.S)
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z][a-zA-Z0-9]*)")
_SKIP_INSIDE = {"code", "pre", "mark", "script", "style"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "track", "embed"}
_WORD = r"[\w-]"


@dataclass(frozen=True)
class Entry:
    term: str
    plain: str
    note: str = ""


@dataclass(frozen=True)
class Hit:
    """A glossary term found in a text, with how often it was found."""

    entry: Entry
    count: int

    @property
    def term(self) -> str:
        return self.entry.term

    @property
    def plain(self) -> str:
        return self.entry.plain

    @property
    def note(self) -> str:
        return self.entry.note


def _term_pattern(term: str) -> str:
    words = term.split()
    last = words[-1]
    parts = [re.escape(w) for w in words[:-1]]
    if len(last) > 1 and last[-1] in "yY" and last[-2].lower() not in "aeiou":
        parts.append(re.escape(last[:-1]) + r"(?:y|ies)")
    else:
        parts.append(re.escape(last) + r"(?:e?s)?")
    return r"\s+".join(parts)


class Glossary:
    """A compiled set of glossary entries. Build it once per page and reuse it for every text."""

    def __init__(self, entries):
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            term = " ".join(entry.term.split())
            if term:
                self.entries.setdefault(term.lower(), Entry(term=term, plain=entry.plain, note=entry.note or ""))
        # Longest terms first, so "adverse event" wins over a shorter entry "adverse".
        terms = sorted(self.entries.values(), key=lambda e: (-len(e.term), e.term.lower()))
        self._groups = [e.term.lower() for e in terms]
        if terms:
            alternatives = "|".join(f"(?P<t{i}>{_term_pattern(e.term)})" for i, e in enumerate(terms))
            # The first letters of all terms, checked first: most positions of a text fail there at once
            # instead of trying every term in turn.
            initials = "".join(sorted({re.escape(c) for e in terms for c in (e.term[0].lower(), e.term[0].upper())}))
            self._pattern = re.compile(rf"(?=[{initials}])(?<!{_WORD})(?:{alternatives})(?!{_WORD})", re.IGNORECASE)
        else:
            self._pattern = None

    def __len__(self):
        return len(self.entries)

    def _entry_for(self, match: re.Match) -> Entry:
        name = match.lastgroup
        return self.entries[self._groups[int(name[1:])]]

    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        """(start, end, entry) of every occurrence in plain text, in order, never overlapping."""
        if self._pattern is None or not text:
            return []
        return [(m.start(), m.end(), self._entry_for(m)) for m in self._pattern.finditer(text)]

    def hits(self, *texts: str) -> list[Hit]:
        """The entries found in plain texts, with counts, in glossary order."""
        counts: dict[str, int] = {}
        for text in texts:
            for _start, _end, entry in self.find(text):
                counts[entry.term.lower()] = counts.get(entry.term.lower(), 0) + 1
        return [Hit(self.entries[key], counts[key]) for key in sorted(counts)]

    # Highlighting --------------------------------------------------------------------------------

    def _mark_text(self, text: str, counts: dict[str, int]) -> str:
        """Escaped HTML of plain `text` with every occurrence marked."""
        out, pos = [], 0
        for start, end, entry in self.find(text):
            out.append(escape(text[pos:start]))
            out.append(render_mark(text[start:end], entry))
            counts[entry.term.lower()] = counts.get(entry.term.lower(), 0) + 1
            pos = end
        out.append(escape(text[pos:]))
        return "".join(out)

    def highlight_text(self, text: str) -> tuple[SafeString, list[Hit]]:
        """Plain (unescaped) text -> safe HTML with jargon marked, and the hits."""
        counts: dict[str, int] = {}
        marked = self._mark_text(text or "", counts)
        return mark_safe(marked), self._hits_from(counts)  # noqa: S308 - every piece escaped above

    def highlight_html(self, safe_html: str) -> tuple[SafeString, list[Hit]]:
        """Sanitised HTML -> the same HTML with jargon marked in text nodes only, and the hits."""
        counts: dict[str, int] = {}
        out, skip_stack = [], []
        for piece in _TAG.split(safe_html or ""):
            if not piece:
                continue
            if piece.startswith("<"):
                out.append(piece)
                _track(piece, skip_stack)
            elif skip_stack or self._pattern is None:
                out.append(piece)
            else:
                out.append(self._mark_text(html.unescape(piece), counts))
        return mark_safe("".join(out)), self._hits_from(counts)  # noqa: S308 - tags kept, text re-escaped

    def _hits_from(self, counts: dict[str, int]) -> list[Hit]:
        return [Hit(self.entries[key], counts[key]) for key in sorted(counts)]


def _track(tag: str, skip_stack: list[str]) -> None:
    """Keep a stack of open elements inside which nothing is marked."""
    match = _TAG_NAME.match(tag)
    if not match:
        return
    name = match.group(1).lower()
    if name not in _SKIP_INSIDE or name in _VOID or tag.rstrip(">").endswith("/"):
        return
    if tag.startswith("</"):
        if name in skip_stack:
            del skip_stack[len(skip_stack) - 1 - skip_stack[::-1].index(name) :]
    else:
        skip_stack.append(name)


def render_mark(found: str, entry: Entry) -> str:
    """The marked occurrence. The plain alternative is visible text, so screen readers read it too."""
    title = f"Plain: {entry.plain}" + (f". {entry.note}" if entry.note else "")
    return (
        f'<mark class="jargon" title="{escape(title)}">{escape(found)}'
        f'<span class="jargon-plain"> (plain: {escape(entry.plain)})</span></mark>'
    )


def load_glossary(language: str = "en") -> Glossary:
    """The glossary of one language from the database (one query): English unless told otherwise."""
    from factsheets.models import GlossaryTerm

    if language not in GlossaryTerm.Language.values:
        raise ValueError(f"The glossary has terms in {', '.join(GlossaryTerm.Language.values)}, not {language!r}.")
    return Glossary(GlossaryTerm.objects.filter(language=language).only("term", "plain", "note"))


def highlight_revision(revision, glossary: Glossary | None = None, *, language: str = "en") -> dict:
    """Ready-to-print, highlighted pieces of a revision for the preview and the review page.

    Without `glossary`, the terms of `language` are loaded (a text is checked only against its language).

    Returns {"summary": SafeString, "fast_facts": [SafeString], "sections": {section_pk: SafeString},
    "hits": [Hit]} with the hits counted over all of them.
    """
    glossary = glossary if glossary is not None else load_glossary(language)
    totals: dict[str, int] = {}

    def add(hits):
        for hit in hits:
            totals[hit.term.lower()] = totals.get(hit.term.lower(), 0) + hit.count

    summary, hits = glossary.highlight_text(revision.summary)
    add(hits)
    facts = []
    for fact in revision.fast_facts or []:
        marked, hits = glossary.highlight_text(str(fact))
        add(hits)
        facts.append(marked)
    sections = {}
    for section in revision.sections.all():
        marked, hits = glossary.highlight_html(section.body_html)
        add(hits)
        sections[section.pk] = marked
    return {
        "summary": summary,
        "fast_facts": facts,
        "sections": sections,
        "hits": [Hit(glossary.entries[key], totals[key]) for key in sorted(totals)],
    }
