"""What changed between two versions of a sheet, ready for a template to print (the review screen and the
public versions page).

Segments are plain text with an operation ("equal", "insert", "delete"); the template escapes them,
so nothing an author typed is ever rendered as HTML here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldDiff:
    label: str
    segments: list[tuple[str, str]] = field(default_factory=list)
    status: str = "changed"  # "changed", "unchanged", "added", "removed"

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two texts as [(op, text)], op in equal/insert/delete (whitespace kept)."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if a and b and matcher.ratio() < 0.4:
        # Mostly rewritten: old text then new text reads better than interleaved scraps of words.
        return [("delete", old), ("insert", new)]
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def _field(label: str, old: str | None, new: str | None) -> FieldDiff:
    if old is None:
        return FieldDiff(label, [("insert", new or "")], "added")
    if new is None:
        return FieldDiff(label, [("delete", old)], "removed")
    return FieldDiff(label, word_diff(old, new), "unchanged" if old == new else "changed")


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
        _field("Title", None if empty else old.title, new.title),
        _field("Generic name", None if empty else old.generic_name, new.generic_name),
        _field("Brand names", None if empty else ", ".join(old.brand_name_list), ", ".join(new.brand_name_list)),
        _field("Used for", None if empty else _used_for(old), _used_for(new)),
        _field("Summary", None if empty else old.summary, new.summary),
        _field("Fast facts", None if empty else "\n".join(old.fast_facts or []), "\n".join(new.fast_facts or [])),
    ]
    keys_old = [(s.kind, s.heading) for s in old_sections]
    keys_new = [(s.kind, s.heading) for s in new_sections]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for o, n in zip(old_sections[i1:i2], new_sections[j1:j2]):
                diffs.append(_field(f"Section: {n.heading}", o.body, n.body))
        elif tag == "replace" and (i2 - i1) == (j2 - j1):
            for o, n in zip(old_sections[i1:i2], new_sections[j1:j2]):
                heading = n.heading if o.heading == n.heading else f"{o.heading} → {n.heading}"
                diffs.append(_field(f"Section: {heading}", f"## {o.heading}\n\n{o.body}", f"## {n.heading}\n\n{n.body}"))
        else:
            for o in old_sections[i1:i2]:
                diffs.append(_field(f"Section removed: {o.heading}", o.body, None))
            for n in new_sections[j1:j2]:
                diffs.append(_field(f"Section added: {n.heading}", None, n.body))
    diffs.append(_field("Credit line", None if empty else old.credit_line, new.credit_line))
    return diffs
