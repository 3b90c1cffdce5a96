"""Comments a reviewer attaches to single fields or sections while reviewing.

They are given with the sign-off: `review_sign` checks them here, folds them into the signed comment (so
the record and the hash chain carry them) and stores each one against its field for the author's editor.
"""

from __future__ import annotations

from factsheets.content.diff import revision_diff

from .models import Decision, Review, ReviewComment

MAX_LENGTH = 2000
# Form fields of the sign form carrying a comment on one field are named "note-<field key>".
PREFIX = "note-"


def targets(revision) -> dict[str, str]:
    """{field key: label} of every part of `revision` a reviewer may comment on, in page order."""
    # Against nothing, every section reads "Section added: ..."; a comment names it plainly.
    return {d.key: d.label.replace("Section added: ", "Section: ", 1) for d in revision_diff(None, revision) if d.key}


def from_post(data) -> dict[str, str]:
    """The non-empty field comments of a submitted sign form, keyed by field."""
    return {
        name[len(PREFIX) :]: value.strip()
        for name, value in data.items()
        if name.startswith(PREFIX) and isinstance(value, str) and value.strip()
    }


def checked(revision, notes: dict[str, str] | None) -> list[tuple[str, str, str]]:
    """(key, label, text) for each comment, or ValueError with a message for the reviewer."""
    known = targets(revision)
    out = []
    for key, text in (notes or {}).items():
        text = (text or "").strip()
        if not text:
            continue
        if key not in known:
            raise ValueError("A comment refers to a part of the version that does not exist; reload the page.")
        if "\x00" in text:
            raise ValueError(f"The comment on {known[key]} contains a NUL character (U+0000); retype it as plain text.")
        if len(text) > MAX_LENGTH:
            raise ValueError(
                f"The comment on {known[key]} is {len(text)} characters long; keep it to {MAX_LENGTH} or fewer."
            )
        out.append((key, known[key], text))
    order = list(known)
    return sorted(out, key=lambda note: order.index(note[0]))


def signed_text(comment: str, notes: list[tuple[str, str, str]]) -> str:
    """The decision's comment as signed: the general comment, then each field comment under its name."""
    parts = [comment] if comment else []
    parts += [f"On {label}: {text}" for _key, label, text in notes]
    return "\n\n".join(parts)


def record(decision: Decision, notes: list[tuple[str, str, str]]) -> None:
    for key, label, text in notes:
        ReviewComment(decision=decision, field=key, label=label, body=text).save()


def for_author(revision) -> list[ReviewComment]:
    """The comments of the latest review of `revision` that asked for changes: what the author works on now."""
    review = (
        Review.objects.filter(revision=revision, status=Review.Status.CHANGES_REQUESTED).order_by("-closed_at").first()
    )
    if review is None:
        return []
    return list(
        ReviewComment.objects.filter(decision__review=review)
        .select_related("decision", "resolution__resolved_by")
        .order_by("decision__signed_at", "id")
    )


def of_earlier_reviews(review: Review) -> list[ReviewComment]:
    """The comments of the earlier reviews of `review`'s version, each with its resolution if any: what the
    reviewers asked for last time and how the author answered."""
    return list(
        ReviewComment.objects.filter(decision__review__revision_id=review.revision_id)
        .exclude(decision__review=review)
        .select_related("decision", "resolution__resolved_by")
        .order_by("decision__signed_at", "id")
    )


def resolved_count(notes: list[ReviewComment]) -> int:
    """How many of `notes` (fetched with their resolution) the author marked resolved."""
    return sum(1 for note in notes if hasattr(note, "resolution"))
