"""The signature-rules migration (reviews 0007) on a database that already holds sign-offs: quorum raised to
the site minimum, open reviews given the committee as it stands, and every existing sign-off chained in
signing order so that `verify_record` finds an unbroken chain afterwards."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reviews.management.commands.verify_record import check_chain
from reviews.models import Committee, Decision, Review

BEFORE = [("reviews", "0006_signed_rendition"), ("factsheets", "0011_guard_revision_conditions")]
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_data(apps):
    """What a site had before the rules: a quorum of one, a closed review and an open one, three sign-offs."""
    User = apps.get_model("auth", "User")
    Committee = apps.get_model("reviews", "Committee")
    Review = apps.get_model("reviews", "Review")
    Decision = apps.get_model("reviews", "Decision")
    FactSheet = apps.get_model("factsheets", "FactSheet")
    Revision = apps.get_model("factsheets", "FactSheetRevision")
    author, first, second = (
        User.objects.create(username=name, first_name=name.title()) for name in ("ann", "bo", "cy")
    )
    committee = Committee.objects.create(name="Old Committee", required_approvals=1)
    committee.members.add(first, second)
    sheet = FactSheet.objects.create(slug="oldexample")

    def revision(number, status):
        return Revision.objects.create(
            fact_sheet=sheet,
            number=number,
            status=status,
            title=f"Oldexample v{number}",
            generic_name="oldexample",
            summary="Made up.",
            fast_facts=[],
            content_hash=f"{number}" * 64,
            created_by=author,
        )

    def review(rev, status, submitted):
        return Review.objects.create(
            revision=rev,
            committee=committee,
            status=status,
            submitted_by=author,
            submitted_at=submitted,
            content_hash=rev.content_hash,
        )

    closed = review(revision(1, "published"), "approved", T0)
    still_open = review(revision(2, "in_review"), "open", T0 + dt.timedelta(days=30))
    # Created out of signing order: the chain must follow signed_at, not row ids.
    for rev_review, reviewer, days in ((still_open, first, 31), (closed, first, 1), (closed, second, 2)):
        Decision.objects.create(
            review=rev_review,
            reviewer=reviewer,
            verdict="approve",
            signed_at=T0 + dt.timedelta(days=days),
            content_hash=rev_review.content_hash,
            printed_name=reviewer.first_name,
            meaning="Approved",
        )
    return closed.pk, still_open.pk


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_sign_offs_are_chained_and_open_reviews_get_the_rules_in_force():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        closed_pk, open_pk = old_data(migrate(BEFORE))
        migrate(latest)
        committee = Committee.objects.get(name="Old Committee")
        assert committee.required_approvals == 2
        closed, still_open = Review.objects.get(pk=closed_pk), Review.objects.get(pk=open_pk)
        assert still_open.quorum == 2
        assert set(still_open.members.values_list("username", flat=True)) == {"bo", "cy"}
        assert closed.quorum is None and not closed.members.exists()
        decisions = list(Decision.objects.order_by("sequence"))
        assert [d.sequence for d in decisions] == [1, 2, 3]
        assert [d.signed_at for d in decisions] == sorted(d.signed_at for d in decisions)
        assert decisions[0].previous_hash == "" and decisions[1].previous_hash == decisions[0].chain_hash
        assert check_chain(decisions) == []
    finally:
        migrate(latest)
