"""Authoring actions on fact sheets that are not part of the review workflow."""

from django.db import transaction
from django.db.models import Max

from factsheets.models import FactSheet, FactSheetRevision, Section


class DraftNotAllowed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pending_version(sheet: FactSheet) -> FactSheetRevision | None:
    """The version still being worked on (draft, in review, approved but not live), which blocks a new draft."""
    return sheet.revisions.exclude(status__in=FactSheetRevision.PUBLIC_STATUSES).order_by("-number").first()


@transaction.atomic
def revision_start_draft(*, fact_sheet: FactSheet, by) -> FactSheetRevision:
    """Copy the live revision (or, before the first publication, the latest one) into a new draft
    numbered one above the highest so far. Refused while another version is still being worked on."""
    if not (by.is_active and by.has_perm("factsheets.add_factsheetrevision")):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only authors can start a new draft.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    pending = pending_version(sheet)
    if pending is not None:
        raise DraftNotAllowed(
            f"Version {pending.number} is {pending.get_status_display().lower()}; finish or withdraw it before starting another."
        )
    source = sheet.live_revision or sheet.revisions.order_by("-number").first()
    number = (sheet.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = FactSheetRevision(
        fact_sheet=sheet,
        number=number,
        title=source.title if source else sheet.slug.replace("-", " ").capitalize(),
        generic_name=source.generic_name if source else "",
        brand_names=source.brand_names if source else "",
        summary=source.summary if source else "",
        fast_facts=list(source.fast_facts) if source else [],
        credit_line=source.credit_line if source else "",
        rxnorm=list(source.rxnorm) if source else [],
        atc=list(source.atc) if source else [],
        ndc=list(source.ndc) if source else [],
        created_by=by,
    )
    draft._history_user = by
    draft._change_reason = f"New draft copied from version {source.number}" if source else "New draft"
    draft.save()
    if source:
        draft.conditions.set(source.conditions.all())
    if source:
        sections_add(
            revision=draft, by=by, sections=[(s.position, s.kind, s.heading, s.body) for s in source.sections.all()]
        )
    return draft


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
    if not (by.is_active and by.has_perm("factsheets.add_factsheetrevision")):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only authors can write a fact sheet.")
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
