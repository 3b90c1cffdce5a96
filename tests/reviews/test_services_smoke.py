from factsheets.models import FactSheetRevision
from tests.factories import make_draft, make_published


def test_two_approvals_publish_the_revision(author, reviewer1, reviewer2, committee):
    revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    assert revision.status == FactSheetRevision.Status.PUBLISHED
    assert revision.fact_sheet.live_revision == revision
    assert revision.reviewed_by_name == committee.name


def test_submitted_revision_refuses_content_change(author, reviewer1, committee):
    from reviews import services
    from factsheets.models import RevisionLocked
    import pytest

    revision = make_draft(author=author)
    services.revision_submit(revision=revision, by=author, committee=committee)
    revision.refresh_from_db()
    revision.title = "Changed behind the committee's back"
    with pytest.raises(RevisionLocked):
        revision.save()
