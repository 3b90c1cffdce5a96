from django import template

from reviews import comments

register = template.Library()


@register.simple_tag
def review_notes_for(revision):
    """The reviewers' field comments the author of an editable `revision` is working on (one query)."""
    if revision is None or not getattr(revision, "is_editable", False):
        return []
    return comments.for_author(revision)
