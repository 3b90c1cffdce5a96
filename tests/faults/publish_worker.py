"""A worker process that is killed in the middle of a publish (run by tests/faults/test_killed_publish.py).

    DATABASE_URL=... python -m tests.faults.publish_worker prepare            # SQLite file: migrate, build state
    DATABASE_URL=... python -m tests.faults.publish_worker sign <review> <reviewer>   # dies inside the publish
    DATABASE_URL=... python -m tests.faults.publish_worker report <review>    # the state, as JSON

`sign` gives the final approval; the publish then writes the revision, the previous live version and the
sheet, and the process kills itself with SIGKILL just after those writes and before the transaction
commits, as the kernel's OOM killer or a worker timeout would.
"""

import json
import os
import signal
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()


def build_state() -> dict:
    """A live sheet whose version 2 is in review with one of two approvals."""
    from factsheets.content.services import revision_start_draft
    from reviews import services
    from tests.factories import PASSWORD, CommitteeFactory, make_published, make_user

    author = make_user("fault-author", "Authors")
    reviewers = [make_user(f"fault-reviewer{i}", "Reviewers") for i in (1, 2)]
    committee = CommitteeFactory(required_approvals=2)
    committee.members.add(*reviewers)
    v1 = make_published(author=author, reviewers=reviewers, committee=committee)
    v2 = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    review = services.revision_submit(revision=v2, by=author, committee=committee, justification="Test content.")
    services.review_sign(review=review, by=reviewers[0], verdict="approve", password=PASSWORD)
    return {"review": review.pk, "final_reviewer": reviewers[1].pk}


def report(review_id: int) -> dict:
    from factsheets.models import EditionSearchIndex, FactSheet
    from reviews.models import Decision, Review

    review = Review.objects.select_related("revision").get(pk=review_id)
    sheet = FactSheet.objects.select_related("live_revision").get(pk=review.revision.fact_sheet_id)
    return {
        "review_status": review.status,
        "revision_status": review.revision.status,
        "revision_published_at": str(review.revision.published_at),
        "decisions": Decision.objects.filter(review=review).count(),
        "live_number": sheet.live_revision.number,
        "live_status": sheet.live_revision.status,
        "published_count": sheet.revisions.filter(status="published").count(),
        "search_index_rows": EditionSearchIndex.objects.filter(fact_sheet=sheet).count(),
    }


def sign_and_die(review_id: int, reviewer_id: int) -> None:
    from django.contrib.auth import get_user_model

    from reviews import going_live, services
    from reviews.models import Review
    from tests.factories import PASSWORD

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    # The last step of a publish inside its transaction: every row is written by then, nothing committed.
    going_live.refresh_search_index = killed
    reviewer = get_user_model().objects.get(pk=reviewer_id)
    services.review_sign(review=Review.objects.get(pk=review_id), by=reviewer, verdict="approve", password=PASSWORD)
    print("publish finished without being killed", file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps(build_state()))
    elif command == "sign":
        sign_and_die(int(sys.argv[2]), int(sys.argv[3]))
    elif command == "report":
        print(json.dumps(report(int(sys.argv[2]))))
