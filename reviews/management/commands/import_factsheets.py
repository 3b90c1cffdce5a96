"""Import existing fact sheets (plain text or Markdown with front matter) as drafts or as published legacy versions.

Parsing is `factsheets.importing` (no database). This module decides what a parsed sheet becomes:
a new sheet or a new version of the sheet with the same slug, a draft or (with --as-published) a
live version approved outside this system, published through `reviews.services.revision_import_published`
so no sign-off is invented. Each file is imported in its own transaction; a bad file is reported
with its name and line and the others still import; the exit status is non-zero if any file failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from factsheets.importing import DEFAULT_ENCODING, ImportParseError, ParsedSheet, parse_file
from factsheets.models import Condition, FactSheet, FactSheetRevision, Section
from reviews import services
from reviews.models import Committee


class ImportRefused(Exception):
    """The file parsed, but importing it would break a rule; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportPlan:
    """What importing one parsed file will do, worked out without changing anything."""

    parsed: ParsedSheet
    source: str
    sheet: FactSheet | None  # None: a new sheet
    number: int
    as_published: bool
    committee: Committee | None = None
    committee_name: str = ""  # the committee to create when `committee` is None
    conditions: list[tuple[str, Condition | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_committee(name: str) -> Committee | None:
    """The committee called `name` (any case), else the one whose name the printed `name` ends with:
    “American College of Rheumatology Committee on Communications and Marketing” finds the
    “Committee on Communications and Marketing”. The longest such name wins."""
    name = " ".join(name.split())
    exact = Committee.objects.filter(name__iexact=name).first()
    if exact:
        return exact
    lowered = name.lower()
    candidates = [c for c in Committee.objects.all() if lowered.endswith(" " + c.name.lower())]
    return max(candidates, key=lambda c: len(c.name), default=None)


def plan_import(parsed: ParsedSheet, *, source: str, as_published: bool, committee_option: str = "") -> ImportPlan:
    """Check the rules and work out what would be created. Reads only."""
    sheet = FactSheet.objects.filter(slug=parsed.slug).first()
    number = 1
    notes = list(parsed.warnings)
    if sheet is not None:
        pending = sheet.revisions.exclude(status__in=FactSheetRevision.PUBLIC_STATUSES).order_by("-number").first()
        if pending is not None:
            raise ImportRefused(
                f"the fact sheet “{sheet.slug}” already has version {pending.number} "
                f"({pending.get_status_display().lower()}); finish or delete it before importing another version"
            )
        if as_published and sheet.is_withdrawn:
            raise ImportRefused(
                f"the fact sheet “{sheet.slug}” is withdrawn; a withdrawn sheet cannot be republished by import"
            )
        if as_published and sheet.live_revision_id and not sheet.live_revision.imported_from:
            raise ImportRefused(
                f"the live version of “{sheet.slug}” was approved by a committee in this system; import the file "
                "without --as-published to make a draft, and send that for review"
            )
        number = (sheet.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
    plan = ImportPlan(parsed=parsed, source=source, sheet=sheet, number=number, as_published=as_published, notes=notes)

    if as_published:
        if parsed.updated_on is None:
            raise ImportRefused(
                "no “Updated <Month YYYY> by …” line (or updated_on), which --as-published needs for the date"
            )
        if not parsed.credit_line:
            raise ImportRefused("no credit line (“Updated … by <authors>”), which --as-published needs")
        name = committee_option or parsed.committee_name
        if not name:
            raise ImportRefused("no reviewing committee: name it with --committee")
        plan.committee = find_committee(name)
        if plan.committee is None:
            plan.committee_name = " ".join(name.split())
        printed = plan.committee.name if plan.committee else plan.committee_name
        if parsed.committee_name and not parsed.committee_name.lower().endswith(printed.lower()):
            notes.append(f"the source says reviewed by the “{parsed.committee_name}”; recorded as the “{printed}”")

    for name in parsed.conditions:
        slug = slugify(name)
        if not slug or len(name) > 200:
            raise ImportRefused(f"cannot use {name!r} as a condition name")
        existing = Condition.objects.filter(name__iexact=name).first()
        existing = existing or Condition.objects.filter(slug=slug).first()
        plan.conditions.append((name, existing))
    return plan


def _save(obj, by, reason: str) -> None:
    if by is not None:
        obj._history_user = by
    obj._change_reason = reason
    obj.save()


def apply_import(plan: ImportPlan, *, by) -> FactSheetRevision:
    """Create what the plan says. The caller holds a transaction, so a failure leaves nothing behind."""
    parsed, reason = plan.parsed, f"Imported from {plan.source}"
    sheet = plan.sheet
    if sheet is None:
        sheet = FactSheet(slug=parsed.slug)
        _save(sheet, by, reason)
    else:
        sheet = FactSheet.objects.select_for_update().get(pk=sheet.pk)
    conditions = []
    for name, condition in plan.conditions:
        if condition is None:
            condition = Condition(name=name, slug=slugify(name))
            _save(condition, by, reason)
        conditions.append(condition)
    revision = FactSheetRevision(
        fact_sheet=sheet,
        number=plan.number,
        title=parsed.title,
        generic_name=parsed.generic_name,
        brand_names=", ".join(parsed.brand_names),
        summary=parsed.summary,
        fast_facts=list(parsed.fast_facts),
        credit_line=parsed.credit_line,
        change_note=parsed.change_note,
        created_by=by,
    )
    _save(revision, by, reason if plan.as_published else f"{reason} as a draft")
    revision.conditions.set(conditions)
    for position, section in enumerate(parsed.sections):
        _save(
            Section(
                revision=revision, position=position, kind=section.kind, heading=section.heading, body=section.body
            ),
            by,
            reason,
        )
    # The content limits hold for drafts too: an author must be able to open, preview and fix what was imported.
    revision.full_check(draft=not plan.as_published)
    if plan.as_published:
        committee = plan.committee
        if committee is None:
            committee = Committee(name=plan.committee_name)
            _save(committee, by, f"Created while importing {plan.source}")
        revision = services.revision_import_published(
            revision=revision, committee=committee, updated_on=parsed.updated_on, source=plan.source, by=by
        )
    return revision


def _month(day: dt.date | None) -> str:
    return day.strftime("%B %Y") if day else "(none)"


class Command(BaseCommand):
    help = (
        "Import existing fact sheets: plain text in the layout of the society's web pages, or Markdown with "
        "front matter. Each file becomes a draft (or, with --as-published, a live version approved outside "
        "this system); a file whose slug exists becomes the next version of that sheet."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files to import (.txt, .md).")
        parser.add_argument(
            "--as-published",
            action="store_true",
            help="Publish each import as a legacy version with the source's updated date and credit line.",
        )
        parser.add_argument(
            "--committee",
            default="",
            help="With --as-published: the committee that approved the sheets (created if missing). "
            "Default: the committee named in each file's footer.",
        )
        parser.add_argument("--user", default="", help="Username recorded as the importer and creator of the drafts.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created; change nothing.")
        parser.add_argument(
            "--encoding", default=DEFAULT_ENCODING, help="Text encoding of the files (default UTF-8, e.g. cp1252)."
        )

    def handle(self, *args, paths, as_published, committee, user, dry_run, encoding, **options):
        if committee and not as_published:
            raise CommandError("--committee only applies with --as-published.")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"There is no user “{user}”.")

        failed: list[str] = []
        imported = 0
        for raw_path in paths:
            path = Path(raw_path)
            try:
                parsed = parse_file(path, encoding=encoding)
                plan = plan_import(parsed, source=path.name, as_published=as_published, committee_option=committee)
                if dry_run:
                    self._describe(plan, path)
                    continue
                with transaction.atomic():
                    revision = apply_import(plan, by=by)
            except ImportParseError as exc:
                failed.append(raw_path)
                where = f"{raw_path}, line {exc.line}" if exc.line else raw_path
                self.stderr.write(self.style.ERROR(f"{where}: {exc.message}. Not imported."))
                continue
            except (ImportRefused, services.WorkflowError) as exc:
                failed.append(raw_path)
                self.stderr.write(self.style.ERROR(f"{raw_path}: {exc.message}. Not imported."))
                continue
            except ValidationError as exc:
                failed.append(raw_path)
                self.stderr.write(self.style.ERROR(f"{raw_path}: {'; '.join(exc.messages)}. Not imported."))
                continue
            except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
                failed.append(raw_path)
                problem = f"unexpected error ({type(exc).__name__}: {exc})"
                self.stderr.write(self.style.ERROR(f"{raw_path}: {problem}. Not imported."))
                continue
            imported += 1
            self._report(plan, revision, path)

        total = len(paths)
        if dry_run:
            self.stdout.write(f"Dry run: nothing was changed ({total - len(failed)} of {total} files would import).")
        else:
            self.stdout.write(f"Imported {imported} of {total} file{'s' if total != 1 else ''}.")
        if failed:
            raise CommandError(f"{len(failed)} file{'s' if len(failed) != 1 else ''} failed: {', '.join(failed)}")

    def _report(self, plan: ImportPlan, revision: FactSheetRevision, path: Path) -> None:
        what = "new fact sheet" if plan.sheet is None else "existing fact sheet"
        if plan.as_published:
            state = (
                f"published (updated {_month(revision.updated_on)}, reviewed by the {revision.reviewed_by_name})"
            )
        else:
            state = "draft"
        self.stdout.write(
            self.style.SUCCESS(f"{path}: {what} “{revision.fact_sheet.slug}”, version {revision.number}, {state}; "
                               f"{len(plan.parsed.sections)} sections, {len(plan.parsed.fast_facts)} fast facts.")
        )
        if plan.as_published and plan.committee is None:
            self.stdout.write(
                f"  created the committee “{plan.committee_name}” "
                "(quorum and review interval: defaults; add members in the admin)"
            )
        for note in plan.notes:
            self.stdout.write(f"  note: {note}")

    def _describe(self, plan: ImportPlan, path: Path) -> None:
        parsed = plan.parsed
        if plan.sheet is None:
            target = f"a new fact sheet “{parsed.slug}”"
        else:
            target = f"version {plan.number} of the existing sheet “{parsed.slug}”"
        state = "a published legacy version" if plan.as_published else "a draft"
        lines = [
            f"{path}: would create {target} as {state}",
            f"  title: {parsed.title}",
            f"  generic name: {parsed.generic_name}; brand names: {', '.join(parsed.brand_names) or '(none)'}",
            f"  summary: {parsed.summary}",
        ]
        if parsed.conditions:
            lines.append(f"  conditions: {', '.join(parsed.conditions)}")
        lines.append(f"  fast facts ({len(parsed.fast_facts)}):")
        lines += [f"    - {fact}" for fact in parsed.fast_facts]
        lines.append(f"  sections ({len(parsed.sections)}):")
        for i, section in enumerate(parsed.sections, start=1):
            words = len(section.body.split())
            lines.append(f"    {i}. [{section.kind}] {section.heading} (line {section.line}, {words} words)")
        lines.append(f"  updated: {_month(parsed.updated_on)}; credit line: {parsed.credit_line or '(none)'}")
        if parsed.committee_name:
            lines.append(f"  reviewed by (as printed): {parsed.committee_name}")
        if plan.as_published:
            if plan.committee is not None:
                lines.append(f"  committee: {plan.committee.name}")
            else:
                lines.append(f"  committee: {plan.committee_name} (would be created)")
        lines += [f"  note: {note}" for note in plan.notes]
        self.stdout.write("\n".join(lines))
