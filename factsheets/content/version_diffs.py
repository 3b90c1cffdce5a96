"""The public versions page's word diffs, computed once when a version goes live and stored.

A published version never changes, and neither does the one it replaced, so the diff between them is
as fixed as the versions themselves: `store(revision, previous)` writes it in the publishing
transaction (reviews.going_live.go_live) and the versions page only reads it. Versions published before
diffs were stored get theirs computed on the first view of the page and stored then (`for_versions`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from factsheets.content.diff import revision_diff


class VersionDiff(models.Model):
    """What changed in a published version against the version before it, field by field (changed only)."""

    revision = models.OneToOneField(
        "factsheets.FactSheetRevision",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stored_diff",
        editable=False,
    )
    previous_number = models.PositiveIntegerField(editable=False)
    fields = models.JSONField(
        editable=False, help_text='[{"label", "segments": [[op, text], ...]}], changed fields only.'
    )

    class Meta:
        app_label = "factsheets"
        verbose_name = "stored version diff"


# How the versions page marks each kind of segment; "equal" text is printed as it is.
SEGMENT_TAGS = {"insert": "ins", "delete": "del"}


def segments_html(segments: list) -> SafeString:
    """A stored diff's segments as the page prints them: each text escaped, insertions in <ins>, deletions in
    <del>. Built here rather than by a template loop over every segment, the versions page's costliest part;
    the bytes are those the loop printed."""
    parts = []
    for op, text in segments:
        tag = SEGMENT_TAGS.get(op)
        parts.append(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text))
    return mark_safe("".join(parts))  # every author text in it was escaped above


def _compute(revision, previous) -> VersionDiff:
    changed = [
        {"label": d.label, "segments": [list(s) for s in d.segments]}
        for d in revision_diff(previous, revision)
        if d.changed
    ]
    return VersionDiff(revision=revision, previous_number=previous.number, fields=changed)


def store(revision, previous) -> None:
    """Store `revision`'s diff against `previous` (the version it replaces); nothing for a first version."""
    if previous is not None:
        prefetch_related_objects([revision, previous], "sections")
        diff = _compute(revision, previous)
        VersionDiff.objects.bulk_create([diff], ignore_conflicts=True)


def for_versions(versions: list) -> None:
    """Set `diff_from_previous` (each changed field's label and `html`, segments_html) and `previous_number` on
    each of `versions` (published, newest first, loaded with `select_related("stored_diff")`), computing and
    storing only the diffs not stored yet."""
    pairs = list(zip(versions, versions[1:] + [None]))
    missing = [(newer, older) for newer, older in pairs if older is not None and _stored(newer, older) is None]
    if missing:
        prefetch_related_objects([r for pair in missing for r in pair], "sections")
        made = [_compute(newer, older) for newer, older in missing]
        VersionDiff.objects.bulk_create(made, ignore_conflicts=True)
        for (newer, _), diff in zip(missing, made):
            newer.stored_diff = diff
    for newer, older in pairs:
        fields = newer.stored_diff.fields if older is not None else []
        newer.diff_from_previous = [{"label": f["label"], "html": segments_html(f["segments"])} for f in fields]
        newer.previous_number = older.number if older is not None else None


def _stored(newer, older) -> VersionDiff | None:
    try:
        diff = newer.stored_diff
    except VersionDiff.DoesNotExist:
        return None
    # Against another version than the one listed before it (a version published out of order): not this pair.
    return diff if diff.previous_number == older.number else None
