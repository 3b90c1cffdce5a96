"""Authoring actions on fact sheets that are not part of the review workflow."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from factsheets.content import languages
from factsheets.models import FactSheet, FactSheetRevision, Section


class DraftNotAllowed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pending_version(sheet: FactSheet, language: str = languages.SOURCE) -> FactSheetRevision | None:
    """The version of an edition still being worked on (draft, in review, approved but not live), which blocks
    a new draft in that language."""
    return (
        sheet.revisions.in_language(language)
        .exclude(status__in=FactSheetRevision.PUBLIC_STATUSES)
        .order_by("-number")
        .first()
    )


def next_number(sheet: FactSheet, language: str) -> int:
    """One above the highest version number of the sheet's edition in `language`."""
    return (sheet.revisions.in_language(language).aggregate(m=Max("number"))["m"] or 0) + 1


def _refuse_unless_author(by, message: str) -> None:
    if not (by.is_active and by.has_perm("factsheets.add_factsheetrevision")):
        raise PermissionDenied(message)


def _refuse_while_pending(sheet: FactSheet, language: str) -> None:
    pending = pending_version(sheet, language)
    if pending is not None:
        edition = f"{pending.get_language_display()} version" if pending.is_translation else "Version"
        raise DraftNotAllowed(
            f"{edition} {pending.number} is {pending.get_status_display().lower()}; finish or withdraw it before "
            "starting another."
        )


def _copy(source: FactSheetRevision | None, draft: FactSheetRevision, *, by) -> FactSheetRevision:
    """Save `draft` with `source`'s content (title, names, text, codes, conditions, sections), recorded."""
    if source is not None:
        for name in ("title", "generic_name", "brand_names", "summary", "credit_line"):
            setattr(draft, name, getattr(source, name))
        draft.fast_facts = list(source.fast_facts)
        draft.rxnorm, draft.atc, draft.ndc = list(source.rxnorm), list(source.atc), list(source.ndc)
    draft._history_user = by
    draft.save()
    if source is not None:
        draft.conditions.set(source.conditions.all())
        sections_add(
            revision=draft, by=by, sections=[(s.position, s.kind, s.heading, s.body) for s in source.sections.all()]
        )
    return draft


@transaction.atomic
def revision_start_draft(*, fact_sheet: FactSheet, by) -> FactSheetRevision:
    """Copy the live revision (or, before the first publication, the latest one) into a new draft
    numbered one above the highest so far. Refused while another version is still being worked on."""
    _refuse_unless_author(by, "Only authors can start a new draft.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    _refuse_while_pending(sheet, languages.SOURCE)
    source = sheet.live_revision or sheet.revisions.in_language(languages.SOURCE).order_by("-number").first()
    draft = FactSheetRevision(
        fact_sheet=sheet,
        number=next_number(sheet, languages.SOURCE),
        title="" if source else sheet.slug.replace("-", " ").capitalize(),
        created_by=by,
    )
    draft._change_reason = f"New draft copied from version {source.number}" if source else "New draft"
    return _copy(source, draft, by=by)


@transaction.atomic
def translation_start_draft(*, fact_sheet: FactSheet, language: str, by) -> FactSheetRevision:
    """Start the next version of a sheet's edition in another language, translating the English version live
    now. It starts as a copy of the edition's live version, or (a first translation) of the English text to
    translate, section by section. Refused while another version of that edition is being worked on."""
    _refuse_unless_author(by, "Only authors can start a translation.")
    if not languages.is_translation(languages.check(language)):
        raise DraftNotAllowed("English is the source language; start a new English draft instead.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    if sheet.withdrawn_at is not None or sheet.live_revision_id is None:
        raise DraftNotAllowed("Only a live fact sheet can be translated: its English version must be published.")
    _refuse_while_pending(sheet, language)
    english = sheet.live_revision
    live = sheet.revisions.live(language).first()
    draft = FactSheetRevision(
        fact_sheet=sheet,
        language=language,
        translation_of=english,
        number=next_number(sheet, language),
        created_by=by,
    )
    name = draft.get_language_display()
    draft._change_reason = (
        f"New {name} draft copied from {name} version {live.number}, to translate English version {english.number}"
        if live
        else f"New {name} translation of English version {english.number}"
    )
    return _copy(live or english, draft, by=by)


@transaction.atomic
def translation_update_source(*, revision: FactSheetRevision, by) -> FactSheetRevision:
    """Point a translation still being edited at the English version live now (after a newer English version
    went live while it was being written), so that it is reviewed against what patients read in English."""
    _refuse_unless_author(by, "Only authors can change what a translation translates.")
    revision = FactSheetRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_translation:
        raise DraftNotAllowed("This version is English; it translates nothing.")
    if not revision.is_editable:
        raise DraftNotAllowed(
            f"Version {revision.number} is {revision.get_status_display().lower()} and can no longer be edited."
        )
    sheet = revision.fact_sheet
    if sheet.live_revision_id is None or sheet.withdrawn_at is not None:
        raise DraftNotAllowed("This fact sheet has no live English version to translate.")
    if revision.translation_of_id == sheet.live_revision_id:
        raise DraftNotAllowed(f"This draft already translates English version {sheet.live_revision.number}.")
    previous = revision.translation_of.number
    revision.translation_of = sheet.live_revision
    revision._history_user = by
    revision._change_reason = f"Now translates English version {sheet.live_revision.number} (was version {previous})"
    revision.save()
    return revision


def sections_add(*, revision: FactSheetRevision, by, sections, reason: str = "") -> list[Section]:
    """Add sections to a draft, each `(position, kind, heading, body)`, with `by` (and `reason`) in their
    history: the one way new drafts, imports and the demo put sections into a version."""
    added = []
    for position, kind, heading, body in sections:
        section = Section(revision=revision, position=position, kind=kind, heading=heading, body=body)
        if by is not None:
            section._history_user = by
        if reason:
            section._change_reason = reason
        section.save()
        added.append(section)
    return added


@transaction.atomic
def revision_create_first_draft(
    *,
    fact_sheet: FactSheet,
    by,
    title: str,
    generic_name: str,
    summary: str,
    fast_facts: list[str],
    credit_line: str,
    brand_names: str = "",
    conditions=(),
    change_note: str = "",
) -> FactSheetRevision:
    """An author creates version 1 of a sheet that has no version yet (the admin's "new sheet" flow)."""
    _refuse_unless_author(by, "Only authors can write a fact sheet.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    if sheet.revisions.exists():
        raise DraftNotAllowed("This fact sheet already has a version; start a new draft from it instead.")
    draft = FactSheetRevision(
        fact_sheet=sheet,
        number=1,
        title=title,
        generic_name=generic_name,
        brand_names=brand_names,
        summary=summary,
        fast_facts=list(fast_facts),
        credit_line=credit_line,
        change_note=change_note,
        created_by=by,
    )
    draft.full_clean()
    draft._history_user = by
    draft._change_reason = "First draft"
    draft.save()
    draft.conditions.set(conditions)
    return draft
