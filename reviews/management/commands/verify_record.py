"""`python manage.py verify_record`: prove that what patients get is what the committee signed.

For every submitted revision (in review, approved, published or superseded; withdrawn sheets included):

- re-compute the content hash from the stored text (under the canonical form it was hashed with) and
  compare it with the revision's hash, its approving review's and every approving sign-off's;
- re-compute the hash of its stored rendition (the page body and API document patients are served) and
  compare it with the rendition's own hash and the one each sign-off holds;
- compare the stored fields (title, names, conditions, fast facts, each section's Markdown and HTML)
  with the signed rendition's document, so a change is reported by field;
- check the approving review reached the committee's quorum as it stood when the review closed.

Then the signatures themselves: walk the hash chain over every sign-off (a removed, inserted or edited
sign-off breaks it), and check each signer was a committee member at submission, signed with a password
they had set themselves, under a quorum not below the site minimum (`[chain]` and `[signer]` problems;
an email address changed by someone else before signing is a note).

Revisions imported from sheets approved before this system have no sign-offs: listed as notes, not errors.
Prints each problem as `MISMATCH <slug> version <n> [<field>]: ...` (`Spanish version <n>` for a translation;
or JSON with `--json`, each problem and note with its `language`) and exits non-zero if there is any.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.models import FactSheetRevision
from factsheets.public.rendition import document_field, plain_fields
from reviews import access
from reviews.models import AccessEvent, Committee, Decision, Review, min_approvals


@dataclass(frozen=True)
class Problem:
    sheet: str
    version: int
    field: str
    message: str
    language: str = "en"

    def line(self) -> str:
        field = f" [{self.field}]" if self.field else ""
        return f"MISMATCH {self.sheet} {_version_name(self.language, self.version)}{field}: {self.message}"


def _version_name(language: str, number: int) -> str:
    """ "version 2", or "Spanish version 2": numbers count within an edition (FactSheetRevision.version_name)."""
    return FactSheetRevision(language=language, number=number).version_name


def _note(revision: FactSheetRevision, note: str) -> dict:
    return {"sheet": revision.fact_sheet.slug, "version": revision.number, "language": revision.language, "note": note}


def quorum_when_closed(review: Review) -> int:
    """The committee's required approvals when this review closed (committees may change their quorum later)."""
    if review.closed_at is not None:
        try:
            return Committee.history.as_of(review.closed_at).get(pk=review.committee_id).required_approvals
        except Committee.DoesNotExist:
            pass
    return review.committee.required_approvals


def rendition_problems(revision: FactSheetRevision) -> list[tuple[str, str]]:
    """(field, message) for every way the stored rendition or the stored fields differ from what was signed."""
    rendition = revision.rendition
    if rendition is None:
        return [("rendition", "has no stored rendition, so nothing proves what patients are served")]
    found = []
    actual = rendition.compute_rendition_hash()
    if actual != rendition.rendition_hash:
        found.append(
            ("rendition", f"stored rendition changed: hash {rendition.rendition_hash}, bytes now hash to {actual}")
        )
    try:
        document = json.loads(rendition.document)
    except ValueError:
        return [*found, ("rendition", "the stored API document is not valid JSON")]
    for name, value in plain_fields(revision).items():
        if document_field(document, name) != value:
            found.append((name, f"{name} differs from the signed rendition"))
    sections, signed = revision.ordered_sections(), document.get("sections", [])
    if len(sections) != len(signed):
        found.append(("sections", f"{len(sections)} section(s) stored, {len(signed)} signed"))
    for number, (section, copy) in enumerate(zip(sections, signed), start=1):
        for name, value in (
            ("kind", section.kind),
            ("heading", section.heading),
            ("body_markdown", section.body),
            ("body_html", section.body_html),
        ):
            if copy.get(name) != value:
                found.append(
                    (
                        f"section {number} {name}",
                        f"section {number} ({section.heading}): {name} differs from the signed rendition",
                    )
                )
    signed_slugs = sorted(c["slug"] for c in revision.conditions_as_signed)
    linked = sorted(c.slug for c in revision.conditions.all())
    if signed_slugs != linked:
        found.append(("conditions", f"linked to conditions {linked}, signed for {signed_slugs}"))
    return found


def check_revision(revision: FactSheetRevision) -> tuple[list[tuple[str, str]], str | None]:
    """((field, message) problems, note) for one submitted revision."""
    problems: list[tuple[str, str]] = []
    actual = revision.compute_content_hash()
    if actual != revision.content_hash:
        problems.append(
            (
                "content",
                f"content changed after approval: stored hash {revision.content_hash}, text now hashes to {actual}",
            )
        )
    problems += rendition_problems(revision)
    if revision.status not in FactSheetRevision.PUBLIC_STATUSES:
        return problems, None
    approved = [r for r in revision.reviews.all() if r.status == Review.Status.APPROVED]
    approving = sorted(
        (r for r in approved if r.kind == Review.Kind.REVISION), key=lambda r: r.closed_at or r.submitted_at
    )
    if not approving:
        if revision.imported_from:
            return problems, f"imported from {revision.imported_from}, approved outside this system"
        problems.append(("review", "published without an approved review"))
        return problems, None
    review = approving[-1]
    if review.content_hash != actual:
        problems.append(("review", f"the review was opened on hash {review.content_hash}, text now hashes to {actual}"))
    if review.rendition_id != revision.rendition_id:
        problems.append(("rendition", "patients are served a rendition other than the one the review signed"))
    rendition = revision.rendition
    upgraded = rendition is not None and rendition.rendered_on_upgrade
    for checked in approved:
        for decision in checked.decisions.all():
            if decision.verdict != Decision.Verdict.APPROVE:
                continue
            who = f"sign-off by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC)"
            if decision.content_hash != actual:
                problems.append(
                    ("signature", f"{who} is for hash {decision.content_hash}, text now hashes to {actual}")
                )
            if (
                rendition is not None
                and decision.rendition_hash != rendition.rendition_hash
                and not (upgraded and not decision.rendition_hash)
            ):
                problems.append(
                    (
                        "signature",
                        f"{who} is for rendition {decision.rendition_hash or '(none)'}, "
                        f"patients are served {rendition.rendition_hash}",
                    )
                )
    approvers = {d.reviewer_id for d in review.decisions.all() if d.verdict == Decision.Verdict.APPROVE}
    quorum = quorum_when_closed(review)
    if len(approvers) < quorum:
        problems.append(
            ("quorum", f"approved with {len(approvers)} sign-off(s); the {review.committee} required {quorum}")
        )
    return problems, None


def check_chain(decisions) -> list[tuple[Decision, str, str]]:
    """(decision, "chain", message) for each break in the hash chain over all sign-offs (in `sequence` order)."""
    problems = []
    expected_sequence, previous = 1, ""
    for decision in decisions:
        label = f"sign-off No. {decision.sequence} by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC)"
        if decision.sequence != expected_sequence:
            missing = decision.sequence - expected_sequence
            problems.append(
                (
                    decision,
                    "chain",
                    f"{missing} sign-off(s) missing before {label} (expected No. {expected_sequence})"
                    if missing > 0
                    else f"{label} is out of order (expected No. {expected_sequence})",
                )
            )
        if decision.previous_hash != previous:
            problems.append(
                (decision, "chain", f"{label} does not link to the sign-off before it (removed or inserted sign-off)")
            )
        if decision.compute_chain_hash() != decision.chain_hash:
            problems.append(
                (decision, "chain", f"{label} was changed after signing (its fields no longer match its chain hash)")
            )
        expected_sequence, previous = decision.sequence + 1, decision.chain_hash
    return problems


def check_signers(decisions) -> tuple[list[tuple[Decision, str, str]], list[tuple[Decision, str]]]:
    """(problems, notes), each naming its sign-off. Problems: sign-offs not made under the rules (signer not a member at submission,
    a password someone else had set, a quorum below the site minimum). Notes: a signer's email address (the
    reset channel) changed by someone else before they signed, for a person to look at."""
    problems, notes = [], []
    minimum = min_approvals()
    reported_reviews = set()
    events = defaultdict(list)  # signer id -> their password and email events, oldest first
    for event in (
        AccessEvent.objects.filter(
            user__in={d.reviewer_id for d in decisions},
            kind__in=[AccessEvent.Kind.PASSWORD_SET, AccessEvent.Kind.EMAIL_SET],
        )
        .select_related("actor")
        .order_by("at", "id")
    ):
        events[event.user_id].append(event)
    for decision in decisions:
        review = decision.review
        label = f"sign-off by {decision.printed_name} ({decision.signed_at:%Y-%m-%d %H:%M} UTC)"
        if review.quorum is not None:
            if decision.reviewer_id not in {m.pk for m in review.members.all()}:
                problems.append(
                    (
                        decision,
                        "signer",
                        f"{label}: the signer was not a member of the {review.committee} at submission",
                    )
                )
            if review.quorum < minimum and review.pk not in reported_reviews:
                reported_reviews.add(review.pk)
                problems.append(
                    (decision, "quorum", f"the review's quorum {review.quorum} is below the site minimum of {minimum}")
                )
        before = [e for e in events[decision.reviewer_id] if e.at <= decision.signed_at]
        passwords = [e for e in before if e.kind == AccessEvent.Kind.PASSWORD_SET]
        if passwords and not passwords[-1].by_owner:
            problems.append(
                (
                    decision,
                    "signer",
                    f"{label}: the signer's password had been set by {access.describe_setter(passwords[-1])}, not by the signer",
                )
            )
        for event in before:
            if (
                event.kind == AccessEvent.Kind.EMAIL_SET
                and not event.by_owner
                and not event.detail.startswith("(none)")
            ):
                notes.append(
                    (
                        decision,
                        f"{label}: the signer's email address was changed by {access.describe_setter(event)} before signing",
                    )
                )
    return problems, notes


class Command(BaseCommand):
    help = "Check every submitted revision's content and stored rendition against its sign-offs."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        revisions = (
            FactSheetRevision.objects.exclude(status__in=FactSheetRevision.EDITABLE_STATUSES)
            .select_related("fact_sheet", "rendition")
            .prefetch_related(
                "sections",
                "conditions",
                Prefetch("reviews", queryset=Review.objects.select_related("committee").prefetch_related("decisions")),
            )
            .order_by("fact_sheet__slug", "language", "number")
        )
        checked, problems, notes = 0, [], []
        for revision in revisions:
            checked += 1
            slug, name = revision.fact_sheet.slug, revision.version_name
            found, note = check_revision(revision)
            if note:
                notes.append(_note(revision, note))
            found_problems = [Problem(slug, revision.number, f, m, revision.language) for f, m in found]
            problems += found_problems
            if options["json"]:
                continue
            if note:
                self.stdout.write(f"NOTE {slug} {name}: {note}")
            for problem in found_problems:
                self.stdout.write(self.style.ERROR(problem.line()))
            if not found and not note and options["verbosity"] >= 2:
                self.stdout.write(f"OK {slug} {name}: {revision.content_hash}")
        decisions = list(
            Decision.objects.select_related("review__committee", "review__revision__fact_sheet", "reviewer")
            .prefetch_related("review__members")
            .order_by("sequence")
        )
        signer_problems, signer_notes = check_signers(decisions)
        for decision, field, message in check_chain(decisions) + signer_problems:
            revision = decision.review.revision
            problem = Problem(revision.fact_sheet.slug, revision.number, field, message, revision.language)
            problems.append(problem)
            if not options["json"]:
                self.stdout.write(self.style.ERROR(problem.line()))
        for decision, message in signer_notes:
            revision = decision.review.revision
            notes.append(_note(revision, message))
            if not options["json"]:
                self.stdout.write(f"NOTE {revision.fact_sheet.slug} {revision.version_name}: {message}")
        if decisions and not options["json"]:
            self.stdout.write(f"Checked the chain of {len(decisions)} sign-off(s), up to {decisions[-1].chain_hash}.")
        imported = sum(1 for n in notes if n["note"].startswith("imported from"))
        summary = f"Checked {checked} submitted revision(s): {len(problems)} problem(s), {imported} imported without sign-offs."
        if options["json"]:
            self.stdout.write(
                json.dumps({"checked": checked, "problems": [asdict(p) for p in problems], "notes": notes}, indent=2)
            )
        if problems:
            raise CommandError(summary)
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(summary))
