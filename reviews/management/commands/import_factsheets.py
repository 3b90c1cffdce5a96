"""Import existing fact sheets (plain text or Markdown with front matter) as drafts or as published legacy versions.

Parsing is `factsheets.importing` (no database); what a parsed sheet becomes (a new sheet, the next
version, nothing because it is unchanged, or a refusal) and writing it is `reviews.importing`. This
module only reads the options, runs each file and reports. Each file is imported in its own transaction; a bad file is reported
with its name and line and the others still import; the exit status is non-zero if any file failed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factsheets.content import languages
from factsheets.importing import DEFAULT_ENCODING, ImportParseError, parse_file
from factsheets.models import FactSheetRevision
from reviews import errors
from reviews.importing import ImportPlan, ImportRefused, import_file, plan_import


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
        parser.add_argument("--title", default="", help="The sheet's title, when the file's first lines are not it.")
        parser.add_argument("--slug", default="", help="The sheet's web address (slug), instead of one from the title.")
        parser.add_argument(
            "--report", default="", metavar="FILE", help="Also write the outcome of every file as JSON."
        )
        parser.add_argument(
            "--encoding", default=DEFAULT_ENCODING, help="Text encoding of the files (default UTF-8, e.g. cp1252)."
        )

    def handle(self, *args, paths, as_published, committee, user, dry_run, encoding, title, slug, report, **options):
        if committee and not as_published:
            raise CommandError("--committee only applies with --as-published.")
        if (title or slug) and len(paths) > 1:
            raise CommandError("--title and --slug name one sheet: give one file with them.")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"There is no user “{user}”.")

        failed: list[str] = []
        results: list[dict] = []
        imported = 0
        for raw_path in paths:
            path = Path(raw_path)
            try:
                parsed = parse_file(path, encoding=encoding, title=title, slug=slug)
                plan = plan_import(parsed, source=path.name, as_published=as_published, committee_option=committee)
                if dry_run:
                    self._describe(plan, path)
                    results.append(plan.report())
                    continue
                revision = import_file(plan, by=by)
            except ImportParseError as exc:
                problem = f"line {exc.line}: {exc.message}" if exc.line else exc.message
            except (ImportRefused, errors.WorkflowError) as exc:
                problem = exc.message
            except ValidationError as exc:
                problem = "; ".join(exc.messages)
            except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
                problem = f"unexpected error ({type(exc).__name__}: {exc})"
            else:
                imported += plan.outcome != "unchanged"
                self._report(plan, revision, path)
                results.append(plan.report())
                continue
            failed.append(raw_path)
            where = f"{raw_path}, {problem}" if problem.startswith("line ") else f"{raw_path}: {problem}"
            self.stderr.write(self.style.ERROR(f"{where}. Not imported."))
            results.append({"file": path.name, "outcome": "refused", "error": problem})

        total = len(paths)
        if report:
            Path(report).write_text(json.dumps({"dry_run": dry_run, "files": results}, indent=2, ensure_ascii=False))
        if dry_run:
            self.stdout.write(f"Dry run: nothing was changed ({total - len(failed)} of {total} files would import).")
        else:
            self.stdout.write(f"Imported {imported} of {total} file{'s' if total != 1 else ''}.")
        if failed:
            raise CommandError(f"{len(failed)} file{'s' if len(failed) != 1 else ''} failed: {', '.join(failed)}")

    def _report(self, plan: ImportPlan, revision: FactSheetRevision, path: Path) -> None:
        if plan.outcome == "unchanged":
            self.stdout.write(
                f"{path}: unchanged: “{revision.fact_sheet.slug}” version {revision.number} already says this; "
                "nothing created."
            )
            return
        what = "new fact sheet" if plan.sheet is None else "existing fact sheet"
        if plan.translation_of is not None:
            what = (
                f"{revision.get_language_display()} translation of English version {plan.translation_of.number} "
                "of the existing fact sheet"
            )
        if plan.as_published:
            state = f"published (updated {_month(revision.updated_on)}, reviewed by the {revision.reviewed_by_name})"
        else:
            state = "draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {what} “{revision.fact_sheet.slug}”, version {revision.number}, {state}; "
                f"{len(plan.parsed.sections)} sections, {len(plan.parsed.fast_facts)} fast facts."
            )
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
        state = "a published legacy version" if plan.as_published else "a draft"
        if plan.outcome == "unchanged":
            head = f"{path}: unchanged since version {plan.number} of “{parsed.slug}”; would create nothing"
        elif plan.sheet is None:
            head = f"{path}: would create a new fact sheet “{parsed.slug}” as {state}"
        elif plan.translation_of is not None:
            head = (
                f"{path}: would create {languages.Language(parsed.language).label} version {plan.number} of the "
                f"existing sheet “{parsed.slug}”, translating English version {plan.translation_of.number}, as {state}"
            )
        else:
            head = f"{path}: would create version {plan.number} of the existing sheet “{parsed.slug}” as {state}"
        lines = [
            head,
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
