"""Numbered versions of a sheet's content, and the rule that a submitted version's links stay as signed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from simple_history.models import HistoricalRecords

from factsheets.content import codes as code_systems
from factsheets.content import languages, limits
from factsheets.content.validators import FastFactsValidator, no_nul_bytes
from factsheets.models.sheets import Condition, FactSheet, RevisionLocked, content_digest, normalise_newlines


class FactSheetRevisionQuerySet(models.QuerySet):
    """`published()` and `live()` read one edition: English unless `language` names another (None: all)."""

    def published(self, language: str | None = languages.SOURCE):
        """Every version patients ever saw: the live one and those it superseded, of sheets not withdrawn."""
        return self._in(language).filter(
            status__in=[FactSheetRevision.Status.PUBLISHED, FactSheetRevision.Status.SUPERSEDED],
            fact_sheet__withdrawn_at__isnull=True,
        )

    def live(self, language: str | None = languages.SOURCE):
        return self._in(language).filter(
            status=FactSheetRevision.Status.PUBLISHED, fact_sheet__withdrawn_at__isnull=True
        )

    def in_language(self, language: str):
        """The versions of one edition (language)."""
        return self.filter(language=languages.check(language))

    def _in(self, language: str | None):
        return self if language is None else self.in_language(language)


class FactSheetRevision(models.Model):
    """One numbered version of a sheet's content, from draft to published (and later superseded)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved, waiting to go live"
        PUBLISHED = "published", "Published (live)"
        SUPERSEDED = "superseded", "Superseded by a newer version"

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)
    # Everything a patient reads; frozen once the revision leaves the editable states.
    CONTENT_FIELDS = (
        "fact_sheet_id",
        "number",
        "title",
        "generic_name",
        "brand_names",
        "conditions_as_signed",
        "summary",
        "fast_facts",
        "credit_line",
        "change_note",
        "hash_version",
        "rendition_id",
        "rxnorm",
        "atc",
        "ndc",
        "language",
        "translation_of_id",
    )
    # The canonical form hashed for new versions. Versions 1 (before names and conditions were content), 2
    # (before drug codes were) and 3 (before editions: every version was English) are kept so sign-offs made
    # under them still verify.
    HASH_VERSION = 4

    fact_sheet = models.ForeignKey(FactSheet, on_delete=models.PROTECT, related_name="revisions")
    language = models.CharField(
        max_length=8,
        choices=languages.Language,
        default=languages.SOURCE,
        editable=False,
        help_text="The edition this version belongs to. Each language numbers its versions from 1.",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
        editable=False,
        help_text="For a translation: the published English version it translates (signed with it).",
    )
    number = models.PositiveIntegerField(
        help_text="Version number within its language, 1 for the first version of the sheet in that language."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, editable=False, db_index=True)
    title = models.CharField(
        max_length=limits.TITLE_MAX_LENGTH,
        validators=[no_nul_bytes, limits.single_line],
        help_text="As printed at the top of the page, on one line, e.g. “Anakinra (Kineret)”.",
    )
    generic_name = models.CharField(
        max_length=200, validators=[no_nul_bytes], help_text="The generic drug name, e.g. “anakinra”."
    )
    brand_names = models.CharField(
        max_length=500,
        blank=True,
        validators=[no_nul_bytes],
        help_text="Brand names separated by commas, e.g. “Kineret, Examplex”.",
    )
    conditions = models.ManyToManyField(
        Condition,
        blank=True,
        related_name="revisions",
        help_text="Conditions this drug is used for, shown as “Used for”.",
    )
    conditions_as_signed = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The “Used for” conditions (slug and name) as they stood at submission: what the committee signed.",
    )
    summary = models.TextField(
        max_length=limits.SUMMARY_MAX_LENGTH,
        validators=[no_nul_bytes, MaxLengthValidator(limits.SUMMARY_MAX_LENGTH)],
        help_text="One or two plain sentences; shown in search results and link previews.",
    )
    fast_facts = models.JSONField(
        default=list,
        blank=True,
        validators=[FastFactsValidator(), no_nul_bytes],
        help_text=(
            f"The short statements of the Fast Facts box, in order: at most {limits.FAST_FACTS_MAX_ITEMS}, "
            f"each one line of up to {limits.FAST_FACT_MAX_LENGTH} characters."
        ),
    )
    credit_line = models.CharField(
        max_length=limits.CREDIT_LINE_MAX_LENGTH,
        validators=[no_nul_bytes, limits.single_line],
        help_text="Authors as printed in “Updated … by …”, e.g. “D. Patel, MD, PhD”.",
    )
    change_note = models.TextField(
        max_length=limits.CHANGE_NOTE_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes, MaxLengthValidator(limits.CHANGE_NOTE_MAX_LENGTH)],
        help_text="What changed in this version, in plain words for patients.",
    )
    rxnorm = code_systems.code_list_field(
        code_systems.RXNORM,
        "RxNorm RXCUIs",
        "RxNorm ingredient RXCUI of each active ingredient: how an EHR's medication list finds this sheet.",
    )
    atc = code_systems.code_list_field(
        code_systems.ATC,
        "ATC codes",
        "WHO ATC code(s), e.g. L04AC03.",
    )
    ndc = code_systems.code_list_field(
        code_systems.NDC,
        "NDC product codes",
        "US National Drug Codes of the products, as on the package (4-4-2, 5-3-2, 5-4-1) or 11 digits.",
    )
    content_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the content, fixed at submission."
    )
    rendition = models.ForeignKey(
        "Rendition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The stored rendition of this version's latest submission: what reviewers signed and patients get.",
    )
    hash_version = models.PositiveSmallIntegerField(
        default=HASH_VERSION,
        editable=False,
        help_text="Version of the canonical form the content hash was computed over.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_on = models.DateField(null=True, blank=True, editable=False, help_text="The “Updated <Month YYYY>” date.")
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional: go live at this time once approved. Empty means as soon as approved.",
    )
    reviewed_by_name = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="The committee as printed in the credit line, set on publishing.",
    )
    imported_from = models.CharField(
        max_length=300, blank=True, editable=False, help_text="Source file when imported; approved outside this system."
    )

    history = HistoricalRecords()
    objects = FactSheetRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["fact_sheet", "-number"]
        verbose_name = "revision"
        constraints = [
            models.UniqueConstraint(
                fields=["fact_sheet", "language", "number"], name="unique_revision_number_per_edition"
            ),
            models.UniqueConstraint(
                fields=["fact_sheet", "language"],
                condition=Q(status="published"),
                name="one_published_revision_per_edition",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(
                condition=Q(language=languages.SOURCE, translation_of__isnull=True)
                | (~Q(language=languages.SOURCE) & Q(translation_of__isnull=False)),
                name="translation_names_its_source",
                violation_error_message="A translation names the English version it translates; English does not.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "changes_requested"]) | ~Q(content_hash=""),
                name="revision_beyond_review_has_content_hash",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="revision_status_publish_at"),
            # The feed's newest publications first, without sorting every version ever published.
            models.Index(
                fields=["published_at", "id"], name="revision_published_at", condition=Q(published_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.version_name}, {self.get_status_display().lower()})"

    @property
    def version_name(self) -> str:
        """ "version 3", or "Spanish version 2" for a translation: numbers count within an edition, so whatever
        asks someone to read or sign a version names its language."""
        edition = f"{self.get_language_display()} " if self.is_translation else ""
        return f"{edition}version {self.number}"

    @property
    def is_translation(self) -> bool:
        return languages.is_translation(self.language)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def brand_name_list(self) -> list[str]:
        return [name.strip() for name in self.brand_names.split(",") if name.strip()]

    def used_for(self) -> list[dict]:
        """The "Used for" conditions as [{slug, name}]: as signed once submitted, the current ones in a draft."""
        if not self.is_editable:
            return [{"slug": c["slug"], "name": c["name"]} for c in self.conditions_as_signed]
        if self.pk is None:
            return []
        return [{"slug": c.slug, "name": c.name} for c in self.conditions.order_by("name", "slug")]

    def get_absolute_url(self):
        # The public site mirrors its addresses under a language prefix (/es/...), reversed in that language.
        with translation.override(self.language):
            return reverse("factsheets:version", args=[self.fact_sheet.slug, self.number])

    def codes(self) -> dict:
        """The drug codes as signed (the API's `codes`)."""
        return {"rxnorm": list(self.rxnorm or []), "atc": list(self.atc or []), "ndc": list(self.ndc or [])}

    def _stored_state(self):
        # Locked, so a workflow transition cannot commit between this check and the write below.
        return (
            FactSheetRevision.objects.select_for_update()
            .filter(pk=self.pk)
            .values("status", "content_hash", *self.CONTENT_FIELDS)
            .first()
        )

    def save(self, *args, **kwargs):
        # Browsers send CRLF from text areas; one line-ending style keeps content hashes stable.
        self.summary = normalise_newlines(self.summary)
        self.change_note = normalise_newlines(self.change_note)
        if not self.pk:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            stored = self._stored_state()
            if stored:
                self._refuse_stale_or_locked(stored)
            super().save(*args, **kwargs)

    def save_transition(self, *, by, reason: str, **kwargs) -> None:
        """The workflow's save (reviews.services): the only save that may move this version to another state
        or set its content hash, recorded in its history with who and why. Any other save that would write a
        different state was made from a stale copy and is refused."""
        if by is not None:
            self._history_user = by
        self._change_reason = reason
        self._moving_state = True
        try:
            self.save(**kwargs)
        finally:
            self._moving_state = False

    def _refuse_stale_or_locked(self, stored: dict) -> None:
        stored_label = dict(self.Status.choices)[stored["status"]].lower()
        # Only save_transition() moves a revision between states; any other save that would write a different
        # state was made from a stale copy, e.g. an admin form opened before submission.
        if not getattr(self, "_moving_state", False) and (
            stored["status"] != self.status or stored["content_hash"] != self.content_hash
        ):
            raise RevisionLocked(
                f"Version {self.number} is now {stored_label}: it changed while you were editing, so nothing was "
                "saved. Reload the page."
            )
        if stored["status"] not in self.EDITABLE_STATUSES:
            changed = [f for f in self.CONTENT_FIELDS if stored[f] != getattr(self, f)]
            if changed:
                raise RevisionLocked(
                    f"Version {self.number} is {stored_label} and can no longer be edited "
                    f"(tried to change: {', '.join(changed)}). Start a new draft instead."
                )

    def delete(self, *args, **kwargs):
        if self.pk and not self.is_editable:
            raise RevisionLocked(
                "Only a draft can be deleted; submitted and published versions are part of the record."
            )
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        sections = list(self.sections.all()) if self.pk else []
        self.validate_version(sections=[(s.heading, s.body) for s in sections])

    def validate_version(self, *, sections) -> None:
        """The limits of the version as a whole (`factsheets.content.limits`), with these (heading, body) sections."""
        problems = limits.version_problems(
            title=self.title,
            names=(self.generic_name, self.brand_names),
            summary=self.summary,
            fast_facts=self.fast_facts,
            credit_line=self.credit_line,
            sections=sections,
        )
        if problems:
            raise ValidationError(problems)

    def full_check(self, *, draft: bool = False) -> None:
        """Every limit on the stored version, fields and sections alike; the workflow runs it before the
        content is frozen, whichever path wrote it. With `draft`, fields still left empty pass (a draft may
        be unfinished) but every limit holds. Raises ValidationError with every problem found."""
        unfinished = ("blank", "required") if draft else ()
        errors = {}

        def keep(field, error):
            kept = [problem for problem in error.error_list if problem.code not in unfinished]
            if kept:
                errors.setdefault(field, []).extend(kept)

        try:
            self.full_clean(exclude=["fact_sheet"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, problems in error.error_dict.items():
                keep(field, ValidationError(problems))
        for section in self.sections.all():
            try:
                section.check_stored()
            except ValidationError as error:
                for field, problems in error.error_dict.items():
                    keep(f"section “{section.heading[:60]}”: {field}", ValidationError(problems))
        if errors:
            raise ValidationError(errors)

    def ordered_sections(self) -> list[models.Model]:
        return sorted(self.sections.all(), key=lambda s: (s.position, s.pk or 0))

    def canonical_content(self, version: int | None = None) -> dict:
        """Everything a patient reads, in a stable shape: the input of the content hash.

        `version` is the canonical form (default: the one this revision was hashed under). Version 1 had
        no names or conditions; version 2 adds them and carries its tag inside the hashed payload; version 3
        adds the drug codes; version 4 the language and the number of the English version translated.
        """
        version = version or self.hash_version or self.HASH_VERSION
        content = {
            "title": self.title,
            "summary": self.summary,
            "fast_facts": list(self.fast_facts or []),
            "sections": [{"kind": s.kind, "heading": s.heading, "body": s.body} for s in self.ordered_sections()],
            "credit_line": self.credit_line,
        }
        if version >= 2:
            content.update(
                canonical_form=version,
                generic_name=self.generic_name,
                brand_names=self.brand_name_list,
                conditions=self.used_for(),
            )
        if version >= 3:
            content["codes"] = self.codes()
        if version >= 4:
            content["language"] = self.language
            content["translation_of"] = self.translation_of.number if self.translation_of_id else None
        return content

    def compute_content_hash(self, version: int | None = None) -> str:
        return content_digest(self.canonical_content(version))


def _refuse_conditions_change_when_frozen(sender, instance, action, reverse, pk_set, **kwargs):
    """The "Used for" conditions of a submitted revision are signed content: refuse any change of the link
    rows, except adding back a link the revision signed (loaddata restoring the record). The database
    enforces the same rule (factsheets.content.db_guards.signed_links)."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if reverse:
        ids = set(pk_set or ()) if action != "pre_clear" else set(instance.revisions.values_list("pk", flat=True))
        slugs = {instance.slug}
    else:
        ids = {instance.pk}
        slugs = set(Condition.objects.filter(pk__in=pk_set or ()).values_list("slug", flat=True))
    for revision in FactSheetRevision.objects.filter(pk__in=ids).exclude(
        status__in=FactSheetRevision.EDITABLE_STATUSES
    ):
        signed = {condition["slug"] for condition in revision.conditions_as_signed}
        if action != "pre_add" or not slugs <= signed:
            raise RevisionLocked(
                "This version has been submitted; the conditions it is used for can no longer be changed."
            )


models.signals.m2m_changed.connect(
    _refuse_conditions_change_when_frozen, sender=FactSheetRevision.conditions.through, dispatch_uid="frozen-conditions"
)
