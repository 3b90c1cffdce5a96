"""`python manage.py verify_record`: prove that what patients read is what the committee signed.

For every published or superseded revision (withdrawn sheets included), re-compute the content hash from
the stored text and compare it with the revision's stored hash, the hash its approving review was opened
on, and the hash in every approving sign-off of that review (and of any reaffirmation); check the approving
review reached the committee's quorum as it stood when the review closed. Revisions imported from sheets
approved before this system have no sign-offs: they are listed as such, not as errors.

Then the signatures themselves: walk the hash chain over every sign-off (a removed, inserted or edited
sign-off breaks it), and for each sign-off check that the signer was a committee member when the version
was submitted, that their password was their own when they signed, and that the review's quorum was not
below the site minimum. Prints each mismatch and exits non-zero if there is any.
"""

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.models import FactSheetRevision
from reviews import access
from reviews.models import AccessEvent, Committee, Decision, Review, min_approvals


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


def check_chain(decisions) -> list[str]:
    """Problems in the hash chain over all sign-offs, given in `sequence` order."""
    problems = []
    expected_sequence, previous = 1, ""
    for decision in decisions:
        label = f"sign-off No. {decision.sequence} by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC)"
        if decision.sequence != expected_sequence:
            missing = decision.sequence - expected_sequence
            problems.append(
                f"chain: {missing} sign-off(s) missing before {label} (expected No. {expected_sequence})" if missing > 0
                else f"chain: {label} is out of order (expected No. {expected_sequence})"
            )
        if decision.previous_hash != previous:
            problems.append(f"chain: {label} does not link to the sign-off before it (removed or inserted sign-off)")
        if decision.compute_chain_hash() != decision.chain_hash:
            problems.append(f"chain: {label} was changed after signing (its fields no longer match its chain hash)")
        expected_sequence, previous = decision.sequence + 1, decision.chain_hash
    return problems


def check_signers(decisions) -> tuple[list[str], list[str]]:
    """(problems, notes). Problems: sign-offs not made under the rules (signer not a member at submission,
    a password someone else had set, a quorum below the site minimum). Notes: a signer's email address (the
    reset channel) changed by someone else before they signed, for a person to look at."""
    problems, notes = [], []
    minimum = min_approvals()
    reported_reviews = set()
    events = defaultdict(list)  # signer id -> their password and email events, oldest first
    for event in AccessEvent.objects.filter(
        user__in={d.reviewer_id for d in decisions}, kind__in=[AccessEvent.Kind.PASSWORD_SET, AccessEvent.Kind.EMAIL_SET]
    ).select_related("actor").order_by("at", "id"):
        events[event.user_id].append(event)
    for decision in decisions:
        review = decision.review
        label = f"sign-off by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC) on {review.revision}"
        if review.quorum is not None:
            if decision.reviewer_id not in {m.pk for m in review.members.all()}:
                problems.append(f"{label}: the signer was not a member of the {review.committee} at submission")
            if review.quorum < minimum and review.pk not in reported_reviews:
                reported_reviews.add(review.pk)
                problems.append(f"review of {review.revision}: quorum {review.quorum} is below the site minimum of {minimum}")
        before = [e for e in events[decision.reviewer_id] if e.at <= decision.signed_at]
        passwords = [e for e in before if e.kind == AccessEvent.Kind.PASSWORD_SET]
        if passwords and not passwords[-1].by_owner:
            problems.append(
                f"{label}: the signer's password had been set by {access.describe_setter(passwords[-1])}, not by the signer"
            )
        for event in before:
            if event.kind == AccessEvent.Kind.EMAIL_SET and not event.by_owner and not event.detail.startswith("(none)"):
                notes.append(f"{label}: the signer's email address was changed by {access.describe_setter(event)} before signing")
    return problems, notes


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
        decisions = list(
            Decision.objects.select_related("review__committee", "review__revision", "reviewer")
            .prefetch_related("review__members")
            .order_by("sequence")
        )
        signer_problems, signer_notes = check_signers(decisions)
        for problem in check_chain(decisions) + signer_problems:
            failures.append(problem)
            self.stdout.write(self.style.ERROR(f"MISMATCH {problem}"))
        for note in signer_notes:
            self.stdout.write(f"NOTE {note}")
        if options["verbosity"] >= 2 and decisions:
            self.stdout.write(f"OK chain of {len(decisions)} sign-off(s) up to {decisions[-1].chain_hash}")
        summary = (
            f"Checked {checked} published revision(s) and {len(decisions)} sign-off(s): {len(failures)} problem(s), "
            f"{imported} imported without sign-offs."
        )
        if failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
