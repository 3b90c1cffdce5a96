"""The author marks each reviewer comment resolved, beside its field in the draft editor; the next review
shows which were resolved and how. Only an author of the version, only while it can be edited, once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import CommentResolution, ReviewComment
from reviews.resolutions import resolve_comment
from tests.factories import PASSWORD, make_draft, make_published, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(author, reviewer1, reviewer2, reviewer3, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test text.")
    services.review_sign(
        review=review,
        by=reviewer3,
        verdict="request_changes",
        password=PASSWORD,
        comment="",
        field_comments={"summary": "Name the condition.", "title": "Shorter, please."},
    )
    draft.refresh_from_db()
    return draft


def edit_url(revision):
    return reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])


def editor_data(client, revision, **extra):
    """What the draft editor posts when saved unchanged, plus `extra`."""
    form = client.get(edit_url(revision)).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["fast_facts"] = "\n".join(revision.fast_facts)
    data["conditions"] = []
    sections = revision.ordered_sections()
    data.update({"sections-TOTAL_FORMS": len(sections), "sections-INITIAL_FORMS": len(sections)})
    data.update({"sections-MIN_NUM_FORMS": 0, "sections-MAX_NUM_FORMS": 1000})
    for i, s in enumerate(sections):
        fields = {"id": s.pk, "revision": revision.pk, "position": s.position, "kind": s.kind}
        data.update({f"sections-{i}-{k}": v for k, v in {**fields, "heading": s.heading, "body": s.body}.items()})
    return {**{k: v for k, v in data.items() if v is not None}, **extra}


def summary_comment():
    return ReviewComment.objects.get(field="summary")


def test_author_resolves_a_comment_with_a_note(returned, author):
    resolution = resolve_comment(summary_comment(), author, "  Named rheumatoid arthritis.  ")
    assert (resolution.resolved_by, resolution.note) == (author, "Named rheumatoid arthritis.")
    assert summary_comment().resolution == resolution


@pytest.mark.parametrize("who", ["reviewer3", "other_author"])
def test_a_reviewer_or_an_author_who_did_not_write_it_is_refused(returned, reviewer3, who):
    person = reviewer3 if who == "reviewer3" else make_user("other", "Authors")
    with pytest.raises(services.WorkflowPermissionDenied, match="Only an author of this version"):
        resolve_comment(summary_comment(), person, "Done.")
    assert not CommentResolution.objects.exists()


def test_resolving_while_in_review_is_refused(returned, author, committee):
    services.revision_submit(revision=returned, by=author, committee=committee, justification="Test text.")
    with pytest.raises(services.TransitionNotAllowed, match="in review"):
        resolve_comment(summary_comment(), author, "Done.")
    assert not CommentResolution.objects.exists()


def test_each_comment_is_resolved_once(returned, author):
    resolve_comment(summary_comment(), author, "First.")
    with pytest.raises(services.TransitionNotAllowed, match="already marked resolved"):
        resolve_comment(summary_comment(), author, "Second.")
    assert list(CommentResolution.objects.values_list("note", flat=True)) == ["First."]


@pytest.mark.parametrize("note", ["bad\x00byte", "x" * 2001])
def test_bad_notes_are_refused(returned, author, note):
    with pytest.raises(services.InvalidInput):
        resolve_comment(summary_comment(), author, note)
    assert not CommentResolution.objects.exists()


def test_resolutions_cannot_be_changed_or_deleted(returned, author):
    resolution = resolve_comment(summary_comment(), author, "Done.")
    resolution.note = "Rewritten."
    with pytest.raises(ValidationError):
        resolution.save()
    for change in (
        lambda: CommentResolution.objects.update(note="Rewritten."),
        lambda: CommentResolution.objects.all()._raw_delete("default"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert CommentResolution.objects.get().note == "Done."


def test_the_editor_saves_resolutions_ticked_or_with_a_note(client, returned, author):
    client.force_login(author)
    title = ReviewComment.objects.get(field="title")
    data = editor_data(
        client, returned, **{f"resolve-{title.pk}": "on", f"resolve-note-{summary_comment().pk}": "Named it."}
    )
    response = client.post(edit_url(returned), data)
    assert response.status_code == 302
    assert dict(CommentResolution.objects.values_list("comment__field", "note")) == {
        "title": "",
        "summary": "Named it.",
    }
    html = client.get(edit_url(returned)).content.decode()
    assert "Resolved by Ada Writer on" in html and ": Named it." in html
    assert f'name="resolve-{title.pk}"' not in html  # no box for a resolved comment


def test_editor_refuses_a_comment_of_another_version_with_403_and_saves_nothing(client, returned, author):
    draft = make_draft(author=author)
    client.force_login(author)
    data = editor_data(client, draft, title="Changed title", **{f"resolve-{summary_comment().pk}": "on"})
    response = client.post(edit_url(draft), data)
    assert response.status_code == 403
    assert not CommentResolution.objects.exists()
    draft.refresh_from_db()
    assert draft.title != "Changed title"


def test_editor_shows_a_bad_note_as_a_message_and_saves_nothing(client, returned, author):
    client.force_login(author)
    data = editor_data(client, returned, title="Changed title", **{f"resolve-note-{summary_comment().pk}": "a\x00b"})
    response = client.post(edit_url(returned), data, follow=True)
    assert "NUL character" in response.content.decode() and "Nothing was saved." in response.content.decode()
    assert not CommentResolution.objects.exists()
    returned.refresh_from_db()
    assert returned.title != "Changed title"


def test_editor_queries_do_not_grow_with_comments(client, returned, author, django_assert_max_num_queries):
    client.force_login(author)
    client.get(edit_url(returned))
    resolve_comment(summary_comment(), author, "Done.")
    with django_assert_max_num_queries(60) as queries:
        client.get(edit_url(returned))
    baseline = len(queries)
    review = services.revision_submit(revision=returned, by=author, justification="Test text.")
    services.review_sign(
        review=review,
        by=review.committee.members.get(username="reviewer1"),
        verdict="request_changes",
        password=PASSWORD,
        comment="",
        field_comments={"summary": "Still unclear.", "title": "Still long.", "generic_name": "Spelling."},
    )
    with django_assert_max_num_queries(baseline):
        client.get(edit_url(returned))


def test_submit_page_counts_resolved_comments(client, returned, author):
    resolve_comment(summary_comment(), author, "Done.")
    client.force_login(author)
    html = client.get(reverse("reviews:submit", args=[returned.pk])).content.decode()
    assert "1 of 2 reviewer comments marked resolved." in html and "You can still submit" in html


def test_next_review_shows_which_were_resolved_and_how(client, returned, author, reviewer1):
    resolve_comment(summary_comment(), author, "Named rheumatoid arthritis.")
    review = services.revision_submit(revision=returned, by=author, justification="Test text.")
    client.force_login(reviewer1)
    html = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Comments from earlier reviews of this version" in html and "1 of 2 marked resolved" in html
    assert "Resolved by Ada Writer on" in html and "Named rheumatoid arthritis." in html
    assert "Not marked resolved." in html
