"""`python manage.py verify_record`: prove that what patients read is what the committee signed.

For every published or superseded revision (withdrawn sheets included), re-compute the content hash from
the stored text and compare it with the revision's stored hash, the hash its approving review was opened
on, and the hash in every approving sign-off of that review (and of any reaffirmation); check the approving
review reached the committee's quorum as it stood when the review closed. Revisions imported from sheets
approved before this system have no sign-offs: they are listed as such, not as errors. Prints each
mismatch and exits non-zero if there is any.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.models import FactSheetRevision
from reviews.models import Committee, Decision, Review


def quorum_when_closed(review: Review) -> int:
    """The committee's required approvals when this review closed (committees may change their quorum later)."""
    if review.closed_at is not None:
        try:
            return Committee.history.as_of(review.closed_at).get(pk=review.committee_id).required_approvals
        except Committee.DoesNotExist:
            pass
    return review.committee.required_approvals


def check_revision(revision: FactSheetRevision) -> tuple[list[str], str | None]:
    """(problems, note) for one public revision."""
    problems: list[str] = []
    actual = revision.compute_content_hash()
    if actual != revision.content_hash:
        problems.append(f"content changed after approval: stored hash {revision.content_hash}, text now hashes to {actual}")
    approved = [r for r in revision.reviews.all() if r.status == Review.Status.APPROVED]
    approving = sorted(
        (r for r in approved if r.kind == Review.Kind.REVISION), key=lambda r: r.closed_at or r.submitted_at
    )
    if not approving:
        if revision.imported_from:
            return problems, f"imported from {revision.imported_from}, approved outside this system"
        problems.append("published without an approved review")
        return problems, None
    review = approving[-1]
    if review.content_hash != actual:
        problems.append(f"the review was opened on hash {review.content_hash}, text now hashes to {actual}")
    for checked in approved:
        for decision in checked.decisions.all():
            if decision.verdict == Decision.Verdict.APPROVE and decision.content_hash != actual:
                problems.append(
                    f"sign-off by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC) is for hash "
                    f"{decision.content_hash}, text now hashes to {actual}"
                )
    approvers = {d.reviewer_id for d in review.decisions.all() if d.verdict == Decision.Verdict.APPROVE}
    quorum = quorum_when_closed(review)
    if len(approvers) < quorum:
        problems.append(f"approved with {len(approvers)} sign-off(s); the {review.committee} required {quorum}")
    return problems, None


class Command(BaseCommand):
    help = "Re-compute every published revision's content hash and check it against its sign-offs."

    def handle(self, *args, **options):
        revisions = (
            FactSheetRevision.objects.filter(status__in=FactSheetRevision.PUBLIC_STATUSES)
            .select_related("fact_sheet")
            .prefetch_related(
                "sections",
                Prefetch("reviews", queryset=Review.objects.select_related("committee").prefetch_related("decisions")),
            )
            .order_by("fact_sheet__slug", "number")
        )
        checked = imported = 0
        failures = []
        for revision in revisions:
            checked += 1
            label = f"{revision.fact_sheet.slug} version {revision.number}"
            problems, note = check_revision(revision)
            if note:
                imported += 1
                self.stdout.write(f"NOTE {label}: {note}")
            for problem in problems:
                failures.append(label)
                self.stdout.write(self.style.ERROR(f"MISMATCH {label}: {problem}"))
            if not problems and not note and options["verbosity"] >= 2:
                self.stdout.write(f"OK {label}: {revision.content_hash}")
        summary = f"Checked {checked} published revision(s): {len(failures)} problem(s), {imported} imported without sign-offs."
        if failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
