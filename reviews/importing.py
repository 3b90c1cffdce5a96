"""The workflow side of importing: what a parsed file will become (the plan) and creating it (the writer).

Parsing is `factsheets.importing` (no database). `plan_import` reads only and says what importing one
file would do: a new sheet, the next version of the sheet with the same slug, nothing (the file says what
the live version already says), or a refusal with the reason. A file in another language than English
(`language: es`) becomes the next draft of that edition of an existing sheet, translating its live English
version. `apply_import` creates what the plan says,
through one path, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from factsheets.importing import ParsedSheet
from factsheets.importing.sheet import file_shaped_content
from factsheets.content import languages
from factsheets.content.services import next_number, pending_version, sections_add
from factsheets.models import Condition, FactSheet, FactSheetRevision
from reviews import services
from reviews.models import Committee
from reviews.steps import save_recorded


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
    # "create" (a new sheet), "new version", or "unchanged": the file says exactly what the sheet's latest
    # version says, so importing it again creates nothing (re-running an import is safe).
    outcome: str = "create"
    previous: FactSheetRevision | None = None
    # The drug codes the new version gets: the file's own, else those of the sheet's latest version (as
    # starting a new draft copies them), else none.
    codes: dict = field(default_factory=lambda: {"rxnorm": [], "atc": [], "ndc": []})
    # A translation: the live English version the new version translates.
    translation_of: FactSheetRevision | None = None

    def report(self) -> dict:
        """What a person needs to act on, per file (printed by --dry-run, written by --report)."""
        parsed = self.parsed
        return {
            "file": self.source,
            "outcome": self.outcome,
            "language": parsed.language,
            "version": None if self.outcome == "unchanged" else self.number,
            "translates_version": self.translation_of.number if self.translation_of else None,
            "title": parsed.title,
            "slug": parsed.slug,
            "generic_name": parsed.generic_name,
            "brand_names": list(parsed.brand_names),
            "conditions": list(parsed.conditions),
            "sections": [{"kind": s.kind, "heading": s.heading, "line": s.line} for s in parsed.sections],
            "fast_facts": list(parsed.fast_facts),
            "updated_on": parsed.updated_on.isoformat() if parsed.updated_on else None,
            "credit_line": parsed.credit_line,
            "committee": parsed.committee_name,
            "warnings": list(self.notes),
        }


def _same_content(parsed: ParsedSheet, revision: FactSheetRevision) -> bool:
    words = file_shaped_content(revision)
    if parsed.codes is None:
        del words["codes"]  # a file that says nothing about drug codes neither matches nor changes them
    mine = parsed.canonical_content()
    return {**mine, "conditions": sorted(mine["conditions"])} == {**words, "conditions": sorted(words["conditions"])}


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
    if languages.is_translation(parsed.language):
        return _plan_translation(parsed, source=source, as_published=as_published)
    sheet = FactSheet.objects.filter(slug=parsed.slug).first()
    number = 1
    notes = list(parsed.warnings)
    if sheet is not None:
        english = sheet.revisions.in_language(languages.SOURCE)
        latest = english.order_by("-number").first()
        if (
            latest is not None
            and _same_content(parsed, latest)
            and (not as_published or latest.status in FactSheetRevision.PUBLIC_STATUSES)
        ):
            notes.append(f"nothing changed since version {latest.number} ({latest.get_status_display().lower()})")
            return ImportPlan(
                parsed=parsed,
                source=source,
                sheet=sheet,
                number=latest.number,
                as_published=as_published,
                notes=notes,
                outcome="unchanged",
                previous=latest,
            )
        pending = pending_version(sheet)
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
        number = next_number(sheet, languages.SOURCE)
        live = sheet.live_revision
        if live is not None and len(parsed.sections) < len(live.ordered_sections()) / 2:
            # Far fewer sections than the live version usually means the parser missed the headings.
            notes.append(
                f"only {len(parsed.sections)} sections where the live version {live.number} has "
                f"{len(live.ordered_sections())}; check the headings were recognised"
            )
    plan = ImportPlan(
        parsed=parsed,
        source=source,
        sheet=sheet,
        number=number,
        as_published=as_published,
        notes=notes,
        outcome="create" if sheet is None else "new version",
    )
    latest = sheet.revisions.in_language(languages.SOURCE).order_by("-number").first() if sheet is not None else None
    if parsed.codes is not None:
        plan.codes = {system: list(codes) for system, codes in parsed.codes.items()}
    elif latest is not None and any(latest.codes().values()):
        plan.codes = latest.codes()
        notes.append(f"the file gives no drug codes; those of version {latest.number} are kept")

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

    _plan_conditions(plan)
    return plan


def _plan_conditions(plan: ImportPlan) -> None:
    for name in plan.parsed.conditions:
        slug = slugify(name)
        if not slug or len(name) > 200:
            raise ImportRefused(f"cannot use {name!r} as a condition name")
        existing = Condition.objects.filter(name__iexact=name).first()
        existing = existing or Condition.objects.filter(slug=slug).first()
        plan.conditions.append((name, existing))


def _plan_translation(parsed: ParsedSheet, *, source: str, as_published: bool) -> ImportPlan:
    """A file in another language: the next draft of that edition of the existing sheet with its slug, translating
    the sheet's live English version (as `translation_start_draft` would). Reads only."""
    language = parsed.language
    name = languages.Language(language).label
    if as_published:
        raise ImportRefused(
            f"a {name} translation is imported as a draft, to be signed by the translation reviewers; import it "
            "without --as-published"
        )
    sheet = FactSheet.objects.select_related("live_revision").filter(slug=parsed.slug).first()
    if sheet is None:
        raise ImportRefused(
            f"there is no fact sheet “{parsed.slug}” to translate: a {name} file becomes a translation of an "
            "existing sheet's live English version"
        )
    if sheet.is_withdrawn or sheet.live_revision_id is None:
        raise ImportRefused(
            f"the fact sheet “{sheet.slug}” has no live English version to translate"
            + (" (it is withdrawn)" if sheet.is_withdrawn else "")
        )
    english = sheet.live_revision
    notes = list(parsed.warnings)
    latest = sheet.revisions.in_language(language).order_by("-number").first()
    if latest is not None and _same_content(parsed, latest):
        notes.append(f"nothing changed since {name} version {latest.number} ({latest.get_status_display().lower()})")
        return ImportPlan(
            parsed=parsed,
            source=source,
            sheet=sheet,
            number=latest.number,
            as_published=False,
            notes=notes,
            outcome="unchanged",
            previous=latest,
        )
    pending = pending_version(sheet, language)
    if pending is not None:
        raise ImportRefused(
            f"the fact sheet “{sheet.slug}” already has {name} version {pending.number} "
            f"({pending.get_status_display().lower()}); finish or delete it before importing another translation"
        )
    if parsed.translates_version is not None and parsed.translates_version != english.number:
        notes.append(
            f"the file translates English version {parsed.translates_version}; the draft translates the live English "
            f"version {english.number}: check the translation against what changed in English since"
        )
    plan = ImportPlan(
        parsed=parsed,
        source=source,
        sheet=sheet,
        number=next_number(sheet, language),
        as_published=False,
        notes=notes,
        outcome="new version",
        translation_of=english,
    )
    if parsed.codes is not None:
        plan.codes = {system: list(codes) for system, codes in parsed.codes.items()}
    else:  # a translation names the same drug: the codes of its edition's latest version, else of the English
        plan.codes = (latest or english).codes()
    _plan_conditions(plan)
    return plan


def apply_import(plan: ImportPlan, *, by) -> FactSheetRevision:
    """Create what the plan says. The caller holds a transaction, so a failure leaves nothing behind."""
    if plan.outcome == "unchanged":
        return plan.previous
    parsed, reason = plan.parsed, f"Imported from {plan.source}"
    sheet = plan.sheet
    if sheet is None:
        sheet = FactSheet(slug=parsed.slug)
        save_recorded(sheet, by, reason)
    else:
        sheet = FactSheet.objects.select_for_update().get(pk=sheet.pk)
    if plan.translation_of is not None and sheet.live_revision_id != plan.translation_of.pk:
        raise ImportRefused(
            f"the live English version of “{sheet.slug}” changed while importing; import the file again"
        )
    conditions = []
    for name, condition in plan.conditions:
        if condition is None:
            condition = Condition(name=name, slug=slugify(name))
            save_recorded(condition, by, reason)
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
        language=parsed.language,
        translation_of=plan.translation_of,
        **plan.codes,
    )
    save_recorded(revision, by, reason if plan.as_published else f"{reason} as a draft")
    revision.conditions.set(conditions)
    sections_add(
        revision=revision,
        by=by,
        reason=reason,
        sections=[(position, s.kind, s.heading, s.body) for position, s in enumerate(parsed.sections)],
    )
    # The content limits hold for drafts too: an author must be able to open, preview and fix what was imported.
    revision.full_check(draft=not plan.as_published)
    if plan.as_published:
        committee = plan.committee
        if committee is None:
            committee = Committee(name=plan.committee_name)
            save_recorded(committee, by, f"Created while importing {plan.source}")
        revision = services.revision_import_published(
            revision=revision, committee=committee, updated_on=parsed.updated_on, source=plan.source, by=by
        )
    return revision


def import_file(plan: ImportPlan, *, by) -> FactSheetRevision:
    """Apply one plan in its own transaction: a failure leaves nothing of this file behind, and a clash
    with a rule of the database (another sheet took the slug meanwhile, a duplicate name) is reported as
    a refusal a person can act on, never as a raw IntegrityError."""
    try:
        with transaction.atomic():
            return apply_import(plan, by=by)
    except IntegrityError as exc:
        raise ImportRefused(
            f"the database refused it ({_integrity_reason(exc)}); nothing of this file was saved"
        ) from exc


def _integrity_reason(exc: IntegrityError) -> str:
    text = str(exc).lower()
    if "slug" in text:
        return "a fact sheet or condition with this web address (slug) already exists"
    if "name" in text:
        return "a record with this name already exists"
    return "it conflicts with what is already stored"
