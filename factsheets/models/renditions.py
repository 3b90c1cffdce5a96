"""The stored rendition of a submitted version: the bytes reviewers sign and patients get."""

import hashlib

from django.db import models

from factsheets.models.revisions import FactSheetRevision
from factsheets.models.sheets import RevisionLocked


class Rendition(models.Model):
    """The patient-facing rendering of a submitted revision, made once at submission and never again.

    `body_html` is the sheet body exactly as the public page, the version pages and the reviewers' page
    show it (title, names, used-for, fast facts, sections); `document` is the JSON text of the API detail's
    content fields. Reviewers sign `rendition_hash`, and public pages and the API serve these bytes as
    stored, so a later change of templates, Markdown rules or glossary cannot change a signed sheet.
    Derived figures (reading grades) are computed here once and stored with it. A revision sent back for
    changes and resubmitted gets a new rendition; the earlier one stays as the record of what was reviewed.
    """

    FORMAT = "factsheets-rendition-v1"

    revision = models.ForeignKey(FactSheetRevision, on_delete=models.PROTECT, related_name="renditions", editable=False)
    body_html = models.TextField(editable=False)
    document = models.TextField(editable=False, help_text="JSON text of the API document's content fields.")
    reading_flesch_kincaid = models.FloatField(null=True, editable=False)
    reading_smog = models.FloatField(null=True, editable=False)
    rendition_hash = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the stored HTML and JSON.")
    rendered_at = models.DateTimeField(editable=False)
    rendered_on_upgrade = models.BooleanField(
        default=False, editable=False, help_text="Made when renditions were introduced, for a version signed before."
    )

    class Meta:
        verbose_name = "rendition"

    def __str__(self):
        return f"Rendition of {self.revision}"

    @classmethod
    def digest(cls, body_html: str, document: str) -> str:
        payload = f"{cls.FORMAT}\n{len(body_html)}\n{body_html}\n{document}"
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def compute_rendition_hash(self) -> str:
        return self.digest(self.body_html, self.document)

    def save(self, *args, **kwargs):
        if self.pk and Rendition.objects.filter(pk=self.pk).exists():
            raise RevisionLocked("A rendition is made once, at submission, and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RevisionLocked("A rendition is part of the record and can never be deleted.")
