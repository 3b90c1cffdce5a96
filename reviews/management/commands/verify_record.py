"""`python manage.py verify_record`: prove that what patients get is what the committee signed.

For every submitted revision (in review, approved, published or superseded; withdrawn sheets included):

- re-compute the content hash from the stored text (under the canonical form it was hashed with) and
  compare it with the revision's hash, its approving review's and every approving sign-off's;
- re-compute the hash of its stored rendition (the page body and API document patients are served) and
  compare it with the rendition's own hash and the one each sign-off holds;
- compare the stored fields (title, names, conditions, fast facts, each section's Markdown and HTML)
  with the signed rendition's document, so a change is reported by field;
- check the approving review reached the committee's quorum as it stood when the review closed.

Revisions imported from sheets approved before this system have no sign-offs: listed as notes, not errors.
Prints each problem as `MISMATCH <slug> version <n> [<field>]: ...` (or JSON with `--json`) and exits
non-zero if there is any.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.models import FactSheetRevision
from factsheets.rendition import plain_fields
from reviews.models import Committee, Decision, Review


@dataclass(frozen=True)
class Problem:
    sheet: str
    version: int
    field: str
    message: str

    def line(self) -> str:
        field = f" [{self.field}]" if self.field else ""
        return f"MISMATCH {self.sheet} version {self.version}{field}: {self.message}"


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
        found.append(("rendition", f"stored rendition changed: hash {rendition.rendition_hash}, bytes now hash to {actual}"))
    try:
        document = json.loads(rendition.document)
    except ValueError:
        return [*found, ("rendition", "the stored API document is not valid JSON")]
    for name, value in plain_fields(revision).items():
        if document.get(name) != value:
            found.append((name, f"{name} differs from the signed rendition"))
    sections, signed = revision.ordered_sections(), document.get("sections", [])
    if len(sections) != len(signed):
        found.append(("sections", f"{len(sections)} section(s) stored, {len(signed)} signed"))
    for number, (section, copy) in enumerate(zip(sections, signed), start=1):
        for name, value in (("kind", section.kind), ("heading", section.heading), ("body_markdown", section.body),
                            ("body_html", section.body_html)):
            if copy.get(name) != value:
                found.append((f"section {number} {name}", f"section {number} ({section.heading}): {name} differs from the signed rendition"))
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
        problems.append(("content", f"content changed after approval: stored hash {revision.content_hash}, text now hashes to {actual}"))
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
                problems.append(("signature", f"{who} is for hash {decision.content_hash}, text now hashes to {actual}"))
            if rendition is not None and decision.rendition_hash != rendition.rendition_hash and not (
                upgraded and not decision.rendition_hash
            ):
                problems.append(("signature", f"{who} is for rendition {decision.rendition_hash or '(none)'}, "
                                              f"patients are served {rendition.rendition_hash}"))
    approvers = {d.reviewer_id for d in review.decisions.all() if d.verdict == Decision.Verdict.APPROVE}
    quorum = quorum_when_closed(review)
    if len(approvers) < quorum:
        problems.append(("quorum", f"approved with {len(approvers)} sign-off(s); the {review.committee} required {quorum}"))
    return problems, None


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
            .order_by("fact_sheet__slug", "number")
        )
        checked, problems, notes = 0, [], []
        for revision in revisions:
            checked += 1
            slug, number = revision.fact_sheet.slug, revision.number
            found, note = check_revision(revision)
            if note:
                notes.append({"sheet": slug, "version": number, "note": note})
            problems += [Problem(slug, number, field, message) for field, message in found]
            if options["json"]:
                continue
            if note:
                self.stdout.write(f"NOTE {slug} version {number}: {note}")
            for field, message in found:
                self.stdout.write(self.style.ERROR(Problem(slug, number, field, message).line()))
            if not found and not note and options["verbosity"] >= 2:
                self.stdout.write(f"OK {slug} version {number}: {revision.content_hash}")
        summary = (
            f"Checked {checked} submitted revision(s): {len(problems)} problem(s), {len(notes)} imported without sign-offs."
        )
        if options["json"]:
            self.stdout.write(json.dumps(
                {"checked": checked, "problems": [asdict(p) for p in problems], "notes": notes}, indent=2
            ))
        if problems:
            raise CommandError(summary)
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(summary))
