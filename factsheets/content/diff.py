"""What changed between two versions of a sheet, ready for a template to print (the review screen and the
public versions page).

Segments are plain text with an operation ("equal", "insert", "delete"); the template (or, for the versions
page, version_diffs.segments_html) escapes them, so nothing an author typed is ever rendered as HTML here.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass, field

# A word together with the whitespace after it (or a run of leading whitespace): whitespace alone would be
# the most frequent token of every text, and the matcher's work grows with how often its tokens repeat.
TOKEN = re.compile(r"\s+|\S+\s*")
# The matcher's work on one text is bounded by this many steps per token compared: ordinary edits stay far
# below it; repetitive or mostly rewritten text, where its work grows with the square of the length, falls
# back to comparing whole lines, then to "old text, then new text".
WORK_PER_TOKEN = 40
REWRITTEN_BELOW = 0.4


@dataclass
class FieldDiff:
    label: str
    segments: list[tuple[str, str]] = field(default_factory=list)
    status: str = "changed"  # "changed", "unchanged", "added", "removed"
    # Which field of the new version this is ("title", "section-<id>"...), so a reviewer's comment can be
    # attached to it; empty for a removed section, which has nothing left to comment on.
    key: str = ""

    @property
    def old_segments(self) -> list[tuple[str, str]]:
        """The old text, for a side-by-side view: what stayed and what was removed."""
        return [(op, text) for op, text in self.segments if op != "insert"]

    @property
    def new_segments(self) -> list[tuple[str, str]]:
        return [(op, text) for op, text in self.segments if op != "delete"]

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self, steps: int):
        self.steps = steps


class _BoundedMatcher(difflib.SequenceMatcher):
    """SequenceMatcher that gives up once it has done more than `budget` steps.

    Each `find_longest_match(alo, ahi, ...)` looks at every old token in [alo, ahi) and at each place
    that token occurs in the new text: that count, summed ahead of time, is charged before each call."""

    def __init__(self, a: list[str], b: list[str], budget: _Budget):
        super().__init__(None, a, b, autojunk=False)
        occurrences = Counter(b)
        self._cost_before = list(accumulate((1 + occurrences.get(token, 0) for token in a), initial=0))
        self._budget = budget

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        self._budget.steps -= self._cost_before[ahi] - self._cost_before[alo]
        if self._budget.steps < 0:
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, len(self.b) if bhi is None else bhi)


def _allowance(a: list[str], b: list[str]) -> int:
    return WORK_PER_TOKEN * (len(a) + len(b)) + 10_000


def _opcodes(a: list[str], b: list[str], budget: _Budget):
    """SequenceMatcher's opcodes, or None when they cost more than the budget left."""
    try:
        return _BoundedMatcher(a, b, budget).get_opcodes()
    except _OverBudget:
        return None


def _lines(tokens: list[str]) -> list[str]:
    lines, current = [], []
    for token in tokens:
        current.append(token)
        if "\n" in token:
            lines.append("".join(current))
            current = []
    if current:
        lines.append("".join(current))
    return lines


def _diff_tokens(a: list[str], b: list[str], budget: _Budget, *, by_lines: bool = True) -> list[tuple[str, str]]:
    if not a or not b:
        return ([("delete", "".join(a))] if a else []) + ([("insert", "".join(b))] if b else [])
    opcodes = _opcodes(a, b, budget)
    if opcodes is None:
        if by_lines:
            # A fresh budget of the same size: at most twice the work in all.
            return _diff_lines(a, b, _Budget(_allowance(a, b)))
        return [("delete", "".join(a)), ("insert", "".join(b))]
    segments = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def _diff_lines(a: list[str], b: list[str], budget: _Budget) -> list[tuple[str, str]]:
    """Too costly to compare word by word: compare lines, then words within changed lines."""
    old_lines, new_lines = _lines(a), _lines(b)
    opcodes = _opcodes(old_lines, new_lines, budget)
    if opcodes is None:
        return [("delete", "".join(a)), ("insert", "".join(b))]
    segments = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            segments.append(("equal", "".join(old_lines[i1:i2])))
        else:
            old_part = TOKEN.findall("".join(old_lines[i1:i2]))
            new_part = TOKEN.findall("".join(new_lines[j1:j2]))
            segments += _diff_tokens(old_part, new_part, budget, by_lines=False)
    return segments


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two texts as [(op, text)], op in equal/insert/delete (whitespace kept).

    Time stays roughly linear in the texts: the common beginning and end are split off first, and the
    middle is compared word by word only while that is cheap (see WORK_PER_TOKEN)."""
    old, new = old or "", new or ""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    old_middle, new_middle = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    budget = _Budget(_allowance(old_middle, new_middle))
    middle = _diff_tokens(old_middle, new_middle, budget)
    segments = ([("equal", "".join(a[:prefix]))] if prefix else []) + middle
    if suffix:
        segments.append(("equal", "".join(a[len(a) - suffix :])))
    if a and b:
        same = sum(len(text) for op, text in segments if op == "equal")
        if 2 * same / (len(old) + len(new)) < REWRITTEN_BELOW:
            # Mostly rewritten: old text then new text reads better than interleaved scraps of words.
            return [("delete", old), ("insert", new)]
    return _merged(segments)


def _merged(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent segments of one kind joined; a replaced word's trailing space shown as unchanged."""
    merged: list[tuple[str, str]] = []
    for op, text in segments:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(merged):
        op, text = merged[i]
        if op == "delete" and i + 1 < len(merged) and merged[i + 1][0] == "insert":
            inserted = merged[i + 1][1]
            space = len(text) - len(text.rstrip())
            space = min(space, len(inserted) - len(inserted.rstrip()))
            if (
                space
                and text[len(text) - space :] == inserted[len(inserted) - space :]
                and text.strip()
                and inserted.strip()
            ):
                out += [("delete", text[:-space]), ("insert", inserted[:-space])]
                following = merged[i + 2] if i + 2 < len(merged) else None
                if following is not None and following[0] == "equal":
                    out.append(("equal", text[-space:] + following[1]))
                    i += 3
                else:
                    out.append(("equal", text[-space:]))
                    i += 2
                continue
        out.append((op, text))
        i += 1
    return out


def _field(label: str, old: str | None, new: str | None, key: str = "") -> FieldDiff:
    if old is None:
        return FieldDiff(label, [("insert", new or "")], "added", key)
    if new is None:
        return FieldDiff(label, [("delete", old)], "removed")
    return FieldDiff(label, word_diff(old, new), "unchanged" if old == new else "changed", key)


def _used_for(revision) -> str:
    return ", ".join(c["name"] for c in revision.used_for())


def revision_diff(old, new) -> list[FieldDiff]:
    """Per-field and per-section differences of revision `new` against `old` (None: everything is new).

    Sections are paired by kind and heading in page order, so an added or removed section shows as one.
    """
    old_sections = old.ordered_sections() if old is not None else []
    new_sections = new.ordered_sections()
    empty = old is None
    diffs = [
        _field("Title", None if empty else old.title, new.title, "title"),
        _field("Generic name", None if empty else old.generic_name, new.generic_name, "generic_name"),
        _field(
            "Brand names",
            None if empty else ", ".join(old.brand_name_list),
            ", ".join(new.brand_name_list),
            "brand_names",
        ),
        _field("Used for", None if empty else _used_for(old), _used_for(new), "used_for"),
        _field("Summary", None if empty else old.summary, new.summary, "summary"),
        _field(
            "Fast facts",
            None if empty else "\n".join(old.fast_facts or []),
            "\n".join(new.fast_facts or []),
            "fast_facts",
        ),
    ]
    keys_old = [(s.kind, s.heading) for s in old_sections]
    keys_new = [(s.kind, s.heading) for s in new_sections]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for o, n in zip(old_sections[i1:i2], new_sections[j1:j2]):
                diffs.append(_field(f"Section: {n.heading}", o.body, n.body, f"section-{n.pk}"))
        elif tag == "replace" and (i2 - i1) == (j2 - j1):
            for o, n in zip(old_sections[i1:i2], new_sections[j1:j2]):
                heading = n.heading if o.heading == n.heading else f"{o.heading} → {n.heading}"
                diffs.append(
                    _field(
                        f"Section: {heading}",
                        f"## {o.heading}\n\n{o.body}",
                        f"## {n.heading}\n\n{n.body}",
                        f"section-{n.pk}",
                    )
                )
        else:
            for o in old_sections[i1:i2]:
                diffs.append(_field(f"Section removed: {o.heading}", o.body, None))
            for n in new_sections[j1:j2]:
                diffs.append(_field(f"Section added: {n.heading}", None, n.body, f"section-{n.pk}"))
    diffs.append(_field("Credit line", None if empty else old.credit_line, new.credit_line, "credit_line"))
    return diffs
