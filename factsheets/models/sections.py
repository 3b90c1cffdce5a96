"""The ordered, headed sections of a version; frozen with it."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from simple_history.models import HistoricalRecords

from factsheets.content import limits
from factsheets.content.markdown import check_nesting, markdown_problems, render_markdown
from factsheets.content.validators import no_nul_bytes
from factsheets.models.revisions import FactSheetRevision
from factsheets.models.sheets import RevisionLocked, SectionKind, normalise_newlines


class Section(models.Model):
    """One headed part of a revision. The body is Markdown, rendered and sanitised once on save."""

    revision = models.ForeignKey(FactSheetRevision, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0, help_text="Order on the page; lower comes first.")
    kind = models.CharField(
        max_length=20, choices=SectionKind, default=SectionKind.OTHER, help_text="What this section is about."
    )
    heading = models.CharField(
        max_length=limits.HEADING_MAX_LENGTH,
        validators=[no_nul_bytes, limits.single_line],
        help_text="The heading patients see, on one line, e.g. “How it works”.",
    )
    body = models.TextField(
        validators=[no_nul_bytes, MaxLengthValidator(limits.SECTION_BODY_MAX_LENGTH), markdown_problems],
        help_text="Markdown: blank line between paragraphs, “- ” for bullets, **bold**, [links](https://…).",
    )
    body_html = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "section"

    def __str__(self):
        return self.heading

    def _revision_locked(self) -> bool:
        """True when this section's revision, or the one it is stored under, has left the editable states.
        The revision rows are locked, so a submission cannot slip in between this check and the write."""
        revision_ids = {self.revision_id}
        if self.pk:
            revision_ids.update(Section.objects.filter(pk=self.pk).values_list("revision_id", flat=True))
        statuses = (
            FactSheetRevision.objects.select_for_update().filter(pk__in=revision_ids).values_list("status", flat=True)
        )
        return any(status not in FactSheetRevision.EDITABLE_STATUSES for status in statuses)

    def clean(self):
        super().clean()
        if self.revision_id and self.pk is None:
            existing = Section.objects.filter(revision_id=self.revision_id).count()
            if existing >= limits.SECTIONS_MAX:
                raise ValidationError(
                    f"This version already has {existing} sections; a fact sheet has at most {limits.SECTIONS_MAX}.",
                    code="too_many_sections",
                )

    def check_stored(self) -> None:
        """Every limit on a stored section. The body's Markdown is judged by the HTML rendered when it was
        saved, so checking a whole version costs no second parse."""
        errors = {}
        try:
            self.full_clean(exclude=["revision", "body"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            for validator in (no_nul_bytes, MaxLengthValidator(limits.SECTION_BODY_MAX_LENGTH)):
                validator(self.body)
            check_nesting(self.body_html)
        except ValidationError as error:
            errors.setdefault("body", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.body = normalise_newlines(self.body)
        self.body_html = render_markdown(self.body)
        with transaction.atomic():
            if self._revision_locked():
                raise RevisionLocked("This version has been submitted; its sections can no longer be edited.")
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            if self._revision_locked():
                raise RevisionLocked("This version has been submitted; its sections can no longer be removed.")
            return super().delete(*args, **kwargs)
