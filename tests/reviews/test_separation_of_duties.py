"""Separation of duties: the members and quorum that count are those at submission, the quorum never drops
below the site minimum, and whoever changed who signs while a review was open cannot sign it. Each way
an editor tried to publish alone is refused."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from factsheets.models import FactSheetRevision
from reviews import services
from reviews.models import Committee, Decision, Review
from tests.factories import PASSWORD, make_draft, make_user


@pytest.fixture
def review(author, committee):
    return services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="Test."
    )


@pytest.fixture
def superuser(db):
    return make_user("boss", is_superuser=True, first_name="Sam", last_name="Super")


def sign(review, reviewer):
    return services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)


def committee_form(committee, **overrides):
    data = {
        "name": committee.name,
        "members": [m.pk for m in committee.members.all()],
        "required_approvals": committee.required_approvals,
        "review_interval_months": committee.review_interval_months,
        "max_reading_grade": str(committee.max_reading_grade),
    }
    data.update(overrides)
    return data


# The rules at submission --------------------------------------------------------------------------


def test_submission_fixes_the_members_and_quorum(review, committee, reviewer1, reviewer2, reviewer3):
    assert set(review.members.all()) == {reviewer1, reviewer2, reviewer3}
    assert review.quorum == 2
    committee.required_approvals = 3
    committee.save()
    sign(review, reviewer1)
    sign(review, reviewer2)
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED  # the quorum of 2 in force at submission


def test_member_added_after_submission_cannot_sign(review, committee):
    late = make_user("latecomer", "Reviewers")
    committee.members.add(late)
    with pytest.raises(services.WorkflowPermissionDenied, match="after this version was submitted"):
        sign(review, late)
    assert not Decision.objects.exists()


def test_member_removed_after_submission_cannot_sign(review, committee, reviewer3):
    committee.members.remove(reviewer3)
    with pytest.raises(services.WorkflowPermissionDenied, match="Only members"):
        sign(review, reviewer3)


def test_reaffirmation_fixes_members_when_requested(author, reviewer1, reviewer2, committee, editor):
    from tests.factories import make_published

    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    reaffirm = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    late = make_user("latecomer", "Reviewers")
    committee.members.add(late)
    assert reaffirm.quorum == 2 and late not in reaffirm.members.all()
    with pytest.raises(services.WorkflowPermissionDenied, match="after this version was submitted"):
        sign(reaffirm, late)


def test_review_page_and_record_show_the_rules_at_submission(client, review, committee, reviewer1):
    committee.members.add(make_user("latecomer", "Reviewers", first_name="Lena", last_name="Late"))
    client.force_login(reviewer1)
    page = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert "Ravi Second, Rita First, Rosa Third" in page and "Lena Late" not in page
    assert "2 approvals needed" in page
    sign(review, reviewer1)
    record = client.get(reverse("reviews:record", args=[review.pk])).content.decode()
    assert "Ravi Second; Rita First; Rosa Third" in record and "Lena Late" not in record
    assert "2 approvals required" in record
    assert "No. 1" in record and "Password only" in record


# Quorum floor -------------------------------------------------------------------------------------


def test_quorum_below_two_is_refused_by_validation_and_database(committee):
    committee.required_approvals = 1
    with pytest.raises(ValidationError, match="at least 2 approvals"):
        committee.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Committee.objects.filter(pk=committee.pk).update(required_approvals=1)


def test_site_minimum_can_be_raised(settings, committee, author):
    settings.REVIEWS_MIN_APPROVALS = 3
    with pytest.raises(ValidationError, match="at least 3 approvals"):
        committee.full_clean()
    with pytest.raises(services.InvalidInput, match="below the site minimum of 3"):
        services.revision_submit(revision=make_draft(author=author), by=author, committee=committee, justification="T.")


def test_superuser_cannot_set_quorum_one_in_the_admin(client, superuser, committee):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]), committee_form(committee, required_approvals=1)
    )
    assert response.status_code == 200 and "at least 2 approvals" in response.content.decode()
    committee.refresh_from_db()
    assert committee.required_approvals == 2


# An editor trying to publish alone ----------------------------------------------------------------


def test_editor_cannot_set_quorum_or_members(client, editor, committee, reviewer1):
    client.force_login(editor)
    page = client.get(reverse("admin:reviews_committee_change", args=[committee.pk])).content.decode()
    assert 'name="required_approvals"' not in page and 'name="members"' not in page
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]),
        committee_form(committee, required_approvals=1, members=[editor.pk], name="Renamed committee"),
    )
    committee.refresh_from_db()
    assert committee.name == "Renamed committee"  # editors keep the name
    assert committee.required_approvals == 2 and editor not in committee.members.all()


def test_editor_cannot_publish_with_a_puppet_account(client, editor, author, committee, reviewer1):
    """The attack as reported: make an account, make it a reviewer, put it on the committee, drop the
    quorum to one, approve as the puppet. Every step is refused; the version does not go live."""
    client.force_login(editor)
    reviewers = Group.objects.get(name="Reviewers")
    client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "puppet",
            "password1": "puppet-pass-48151",
            "password2": "puppet-pass-48151",
            "usable_password": "true",
            "groups": [reviewers.pk],
        },
    )
    from django.contrib.auth import get_user_model

    puppet = get_user_model().objects.get(username="puppet")
    assert not puppet.has_usable_password() and not puppet.groups.exists()
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]),
        committee_form(committee, required_approvals=1, members=[m.pk for m in committee.members.all()] + [puppet.pk]),
    )
    committee.refresh_from_db()
    assert puppet not in committee.members.all() and committee.required_approvals == 2
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    with pytest.raises(services.WorkflowPermissionDenied):
        services.review_sign(review=review, by=puppet, verdict="approve", password="puppet-pass-48151")
    sign(review, reviewer1)
    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.IN_REVIEW


def test_whoever_adds_a_member_while_a_review_is_open_cannot_sign_it(client, review, committee):
    chair = make_user("chair", "Reviewers", is_superuser=True, first_name="Cleo", last_name="Chair")
    # The chair sat on the committee at submission, then changed its membership while the review was open.
    review.members.add(chair)
    committee.members.add(chair)
    client.force_login(chair)
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]),
        committee_form(
            committee, members=[m.pk for m in committee.members.all()] + [make_user("extra", "Reviewers").pk]
        ),
    )
    with pytest.raises(services.WorkflowPermissionDenied, match="changed who signs while this review was open"):
        sign(review, chair)


def test_whoever_changes_the_quorum_while_a_review_is_open_cannot_sign_it(client, review, committee):
    chair = make_user("chair", "Reviewers", is_superuser=True)
    review.members.add(chair)
    committee.members.add(chair)
    client.force_login(chair)
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]), committee_form(committee, required_approvals=3)
    )
    committee.refresh_from_db()
    assert committee.required_approvals == 3
    with pytest.raises(services.WorkflowPermissionDenied, match="committee quorum changed"):
        sign(review, chair)


def test_whoever_grants_the_reviewer_role_while_a_review_is_open_cannot_sign_it(client, review, committee):
    chair = make_user("chair", "Reviewers", is_superuser=True)
    review.members.add(chair)
    committee.members.add(chair)
    newcomer = make_user("newcomer")
    client.force_login(chair)
    client.post(
        reverse("admin:auth_user_change", args=[newcomer.pk]),
        {
            "username": "newcomer",
            "email": newcomer.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Reviewers").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert newcomer.groups.filter(name="Reviewers").exists()
    with pytest.raises(services.WorkflowPermissionDenied, match="role granted: Reviewers"):
        sign(review, chair)


def test_changes_before_submission_do_not_disqualify(client, committee, author):
    chair = make_user("chair", "Reviewers", is_superuser=True)
    client.force_login(chair)
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]),
        committee_form(committee, members=[m.pk for m in committee.members.all()] + [chair.pk]),
    )
    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )
    assert sign(review, chair).reviewer == chair


def test_editor_sets_the_committees_target_reading_grade(client, editor, committee):
    client.force_login(editor)
    client.post(
        reverse("admin:reviews_committee_change", args=[committee.pk]),
        committee_form(committee, max_reading_grade="6.5"),
    )
    committee.refresh_from_db()
    assert str(committee.max_reading_grade) == "6.5"
