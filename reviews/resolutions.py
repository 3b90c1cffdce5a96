"""An author marks a reviewer's field comment resolved, and says how.

The draft editor shows, beside each comment, a "Resolved" box and a "How" box (`resolve-<comment id>`,
`resolve-note-<comment id>`); they are saved with the draft, so the author's edits and resolutions go in
one save and the loop stays within a few clicks. Writing how it was resolved counts as marking it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from factsheets.content.selectors import revision_authors
from factsheets.content.signals import DraftSaveRefused, draft_saved

from . import services

from reviews import steps
from .models import CommentResolution, ReviewComment

MAX_LENGTH = 2000
PREFIX = "resolve-"
NOTE_PREFIX = "resolve-note-"


@transaction.atomic
def resolve_comment(comment: ReviewComment, by, note: str = "") -> CommentResolution:
    """Record that `by`, an author of the commented version, dealt with `comment` while it can be edited."""
    revision = steps.lock_revision(comment.decision.review.revision)
    if not services.can_author(by) or by.pk not in revision_authors(revision):
        raise services.WorkflowPermissionDenied(
            "Only an author of this version can mark a reviewer's comment resolved."
        )
    if not revision.is_editable:
        raise services.TransitionNotAllowed(
            f"Version {revision.number} is {revision.get_status_display().lower()}; comments can only be marked "
            "resolved while it is a draft or has changes requested."
        )
    if CommentResolution.objects.filter(comment=comment).exists():
        raise services.TransitionNotAllowed(f"The comment on {comment.label} is already marked resolved.")
    note = steps.clean_text(
        note, label=f"note on how the comment on {comment.label} was resolved", max_length=MAX_LENGTH
    )
    resolution = CommentResolution(comment=comment, resolved_by=by, resolved_at=timezone.now(), note=note)
    resolution.save()
    return resolution


def from_post(data) -> dict[int, str]:
    """{comment id: note} for each comment the form marks resolved: ticked, or with a note written."""
    ticked, notes = set(), {}
    for name in data:
        value = data.get(name)
        if name.startswith(NOTE_PREFIX) and name[len(NOTE_PREFIX) :].isdigit() and isinstance(value, str):
            if value.strip():
                notes[int(name[len(NOTE_PREFIX) :])] = value
        elif name.startswith(PREFIX) and name[len(PREFIX) :].isdigit():
            ticked.add(int(name[len(PREFIX) :]))
    return {pk: notes.get(pk, "") for pk in ticked | set(notes)}


def resolve_from_editor(sender, *, revision, user, data, **kwargs) -> None:
    """The draft editor's save: resolve each comment it marks that is not resolved yet.

    A comment of another version, or a person who may not resolve, is refused (403); bad input (a NUL, an
    overlong note) comes back as a message. Either way the whole save is rolled back."""
    marked = from_post(data)
    if not marked:
        return
    found = ReviewComment.objects.filter(pk__in=marked).select_related("decision__review", "resolution")
    found = {c.pk: c for c in found}
    for pk, note in sorted(marked.items()):
        comment = found.get(pk)
        if comment is None or comment.decision.review.revision_id != revision.pk:
            raise services.WorkflowPermissionDenied("That comment is not about this version.")
        if hasattr(comment, "resolution"):
            continue  # resolved earlier; the editor shows it as such and offers no box
        try:
            resolve_comment(comment, user, note)
        except (services.InvalidInput, services.TransitionNotAllowed) as error:
            raise DraftSaveRefused(f"{error.message} Nothing was saved.") from error


def connect() -> None:
    draft_saved.connect(resolve_from_editor, dispatch_uid="reviews.resolve_from_editor")
