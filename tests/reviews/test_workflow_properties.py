"""Property: whatever random people try, in whatever order, patients only ever see revisions that reached quorum,
and every published revision's text hashes to what its reviewers signed."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from factsheets.models import FactSheetRevision
from factsheets.content.services import DraftNotAllowed, revision_start_draft
from reviews import services
from reviews import errors
from reviews.management.commands.verify_record import check_revision
from reviews.models import Decision, Review
from tests.factories import PASSWORD, FactSheetFactory, make_draft, make_user

ACTIONS = [
    "submit",
    "approve",
    "request_changes",
    "withdraw_submission",
    "start_draft",
    "edit",
    "edit_scheduled",
    "publish_due",
    "withdraw_sheet",
]


# Any action by anyone, mixed with steps that move the workflow on (authors submit, members sign), so
# that many sequences reach publication and then keep going (new drafts, withdrawals, scheduling).
AUTHORS, MEMBERS = [0, 1, 6], [2, 3, 4, 6]
NEXT_ELIGIBLE = -1  # a member who has not signed the open review yet and did not write the revision
STEP = st.one_of(
    st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=8)),
    st.tuples(st.just("submit"), st.sampled_from(AUTHORS)),
    st.tuples(st.sampled_from(["approve", "approve", "request_changes"]), st.sampled_from(MEMBERS)),
    st.tuples(st.sampled_from(["start_draft", "edit", "edit_scheduled"]), st.sampled_from(AUTHORS)),
    st.just(("approve", NEXT_ELIGIBLE)),
)


@pytest.fixture
def people(author, reviewer1, reviewer2, reviewer3, editor, committee):
    co_author = make_user("coauthor", "Authors", first_name="Cora", last_name="Author")
    outsider = make_user("outsider", "Reviewers", first_name="Otto", last_name="Outside")  # not a member
    both = make_user("both", "Authors", "Reviewers", first_name="Bo", last_name="Th")
    committee.members.add(both)  # a member who may also write: must never sign what they wrote
    superuser = make_user("root", is_superuser=True, first_name="Super", last_name="User")
    return [author, co_author, reviewer1, reviewer2, reviewer3, outsider, both, editor, superuser]


def current(sheet) -> FactSheetRevision | None:
    """The sheet's newest revision (the one the workflow acts on)."""
    return sheet.revisions.order_by("-number").first()


def next_eligible(people, sheet):
    review = Review.objects.filter(revision__fact_sheet=sheet, status=Review.Status.OPEN).first()
    if review is None:
        return people[2]
    excluded = services.revision_authors(review.revision) | {review.submitted_by_id}
    excluded |= set(review.decisions.values_list("reviewer", flat=True))
    eligible = review.committee.members.exclude(pk__in=excluded).order_by("username").first()
    return eligible or people[2]


def act(action: str, user, sheet, committee, step: int, clock: dt.datetime):
    revision = current(sheet)
    open_review = Review.objects.filter(revision__fact_sheet=sheet, status=Review.Status.OPEN).first()
    if action == "submit":
        services.revision_submit(revision=revision, by=user, committee=committee)
    elif action in ("approve", "request_changes") and open_review:
        services.review_sign(
            review=open_review,
            by=user,
            verdict=action,
            password=PASSWORD,
            comment="Please reword the dosing part." if action == "request_changes" else "",
        )
    elif action == "withdraw_submission":
        services.revision_withdraw_submission(revision=revision, by=user)
    elif action == "start_draft":
        revision_start_draft(fact_sheet=sheet, by=user)
    elif (
        action in ("edit", "edit_scheduled")
        and revision.is_editable
        and user.has_perm("factsheets.change_factsheetrevision")
    ):
        revision.title = f"Title of version {revision.number}, edit {step}"
        revision.publish_at = clock + dt.timedelta(days=1) if action == "edit_scheduled" else None
        revision._history_user = user
        revision.save()
        section = revision.sections.first()
        section.body = f"Body written at step {step}."
        section._history_user = user
        section.save()
    elif action == "publish_due":
        services.publish_due(now=clock + dt.timedelta(days=2))
    elif action == "withdraw_sheet":
        services.factsheet_withdraw(fact_sheet=sheet, by=user, reason="Random withdrawal in a property test.")


def assert_invariants(sheet, client):
    sheet.refresh_from_db()
    public = list(FactSheetRevision.objects.published().filter(fact_sheet=sheet))
    all_public_status = FactSheetRevision.objects.filter(fact_sheet=sheet, status__in=FactSheetRevision.PUBLIC_STATUSES)
    for revision in all_public_status:
        problems, note = check_revision(revision)
        assert note is None and problems == [], (revision, problems)
        review = Review.objects.filter(
            revision=revision, kind=Review.Kind.REVISION, status=Review.Status.APPROVED
        ).get()
        signers = set(review.decisions.filter(verdict=Decision.Verdict.APPROVE).values_list("reviewer", flat=True))
        assert len(signers) >= review.committee.required_approvals
        assert signers <= set(review.committee.members.values_list("pk", flat=True))
        assert not signers & (services.revision_authors(revision) | {review.submitted_by_id})
    assert FactSheetRevision.objects.filter(fact_sheet=sheet, status="published").count() <= 1
    if sheet.withdrawn_at:
        assert public == []
    if sheet.live_revision_id:
        assert sheet.live_revision.status == FactSheetRevision.Status.PUBLISHED

    response = client.get(f"/factsheets/{sheet.slug}/")
    if sheet.live_revision_id is None:
        assert response.status_code == 404
    elif sheet.withdrawn_at:
        assert response.status_code == 410
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert sheet.live_revision.title in body
        for unpublished in sheet.revisions.exclude(status__in=FactSheetRevision.PUBLIC_STATUSES):
            if unpublished.title != sheet.live_revision.title:
                assert unpublished.title not in body


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=8, max_size=20))
def test_random_workflows_only_ever_show_revisions_that_reached_quorum(
    steps, people, committee, client, django_capture_on_commit_callbacks
):
    clock = timezone.now()
    cache.clear()  # each example rolls the database back; the page cache must start over with it
    with transaction.atomic():
        sheet = FactSheetFactory(slug="propertumab")
        make_draft(author=people[0], fact_sheet=sheet, title="Title of version 1, first draft")
        for step, (action, who) in enumerate(steps):
            try:
                # Run what a real commit would run (cache invalidation, e-mails) when the step succeeds.
                with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                    user = next_eligible(people, sheet) if who == NEXT_ELIGIBLE else people[who]
                    act(action, user, sheet, committee, step, clock)
            except (errors.WorkflowError, DraftNotAllowed, PermissionDenied):
                pass  # refused: the invariants below must still hold, and nothing half-done may remain
            assert_invariants(sheet, client)
        event(
            f"versions published: {FactSheetRevision.objects.filter(fact_sheet=sheet, published_at__isnull=False).count()}"
        )
        transaction.set_rollback(True)
