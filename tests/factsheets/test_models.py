"""The model itself freezes a revision once it leaves the draft state."""

import pytest

from factsheets.models import FactSheetRevision, RevisionLocked, Section
from reviews import services
from tests.factories import make_draft


@pytest.fixture
def submitted(author, committee):
    revision = make_draft(author=author)
    services.revision_submit(revision=revision, by=author, committee=committee)
    revision.refresh_from_db()
    return revision


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Changed"),
        ("summary", "Changed"),
        ("fast_facts", ["Changed"]),
        ("credit_line", "X"),
        ("change_note", "X"),
    ],
)
def test_submitted_revision_refuses_content_changes(submitted, field, value):
    setattr(submitted, field, value)
    with pytest.raises(RevisionLocked):
        submitted.save()
    submitted.refresh_from_db()
    assert getattr(submitted, field) != value


def test_submitted_revision_refuses_section_edit(submitted):
    section = submitted.sections.first()
    section.body = "Changed behind the committee's back"
    with pytest.raises(RevisionLocked):
        section.save()
    section.refresh_from_db()
    assert section.body != "Changed behind the committee's back"


def test_submitted_revision_refuses_new_section(submitted):
    with pytest.raises(RevisionLocked):
        Section(revision=submitted, heading="Extra", body="Extra").save()
    assert submitted.sections.count() == 2


def test_submitted_revision_refuses_section_delete(submitted):
    with pytest.raises(RevisionLocked):
        submitted.sections.first().delete()
    assert submitted.sections.count() == 2


def test_submitted_revision_cannot_be_deleted(submitted):
    with pytest.raises(RevisionLocked):
        submitted.delete()
    assert FactSheetRevision.objects.filter(pk=submitted.pk).exists()


def test_draft_can_be_edited(author):
    draft = make_draft(author=author)
    draft.title = "Better title"
    draft.save()
    section = draft.sections.first()
    section.body = "Now **clearer**."
    section.save()
    assert section.body_html == "<p>Now <strong>clearer</strong>.</p>"


def test_revision_with_changes_requested_is_editable_again(author, reviewer1, committee):
    from tests.factories import PASSWORD

    revision = make_draft(author=author)
    review = services.revision_submit(revision=revision, by=author, committee=committee)
    services.review_sign(
        review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Simpler words"
    )
    revision.refresh_from_db()
    revision.title = "Simpler title"
    revision.save()
    assert FactSheetRevision.objects.get(pk=revision.pk).title == "Simpler title"


def test_stale_copy_saved_after_submission_cannot_undo_it(author, committee):
    """An admin form opened on the draft and saved after the submission must not write `draft` back."""
    revision = make_draft(author=author)
    stale = FactSheetRevision.objects.get(pk=revision.pk)
    services.revision_submit(revision=revision, by=author, committee=committee)
    with pytest.raises(RevisionLocked, match="changed while you were editing"):
        stale.save()
    revision.refresh_from_db()
    assert revision.status == FactSheetRevision.Status.IN_REVIEW
    assert revision.content_hash and revision.submitted_at is not None


def test_section_cannot_be_moved_out_of_a_submitted_revision(submitted, author):
    draft = make_draft(author=author, number=1)
    section = submitted.sections.first()
    section.revision = draft
    with pytest.raises(RevisionLocked):
        section.save()
    assert Section.objects.get(pk=section.pk).revision_id == submitted.pk
