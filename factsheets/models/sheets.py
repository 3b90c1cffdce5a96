"""Conditions and fact sheets: the stable identities that versions belong to."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from factsheets.content import codes as code_systems
from factsheets.content import limits
from factsheets.content.validators import no_nul_bytes


BODY_MAX_LENGTH = limits.SECTION_BODY_MAX_LENGTH


def content_digest(content: dict) -> str:
    """SHA-256 of a canonical JSON (sorted keys, no spaces, UTF-8)."""
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class SectionKind(models.TextChoices):
    """The fixed taxonomy of sections; the keys are part of the public API."""

    OVERVIEW = "overview", "Overview"
    HOW_IT_WORKS = "how_it_works", "How it works"
    DOSING = "dosing", "Dosing"
    TIME_TO_EFFECT = "time_to_effect", "Time to effect"
    SIDE_EFFECTS = "side_effects", "Side effects"
    INTERACTIONS = "interactions", "Drug interactions"
    PRECAUTIONS = "precautions", "Precautions"
    PREGNANCY = "pregnancy", "Pregnancy and breastfeeding"
    VACCINES = "vaccines", "Vaccines"
    STORAGE = "storage", "Storage"
    DISCUSS = "discuss", "What to discuss with your doctor"
    OTHER = "other", "Other"


class RevisionLocked(ValidationError):
    """Raised when something tries to change the content of a revision that left the draft state."""


class Condition(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        validators=[no_nul_bytes],
        help_text="As patients know it, e.g. “Rheumatoid arthritis”.",
    )
    slug = models.SlugField(max_length=200, unique=True, help_text="Used in the public address /conditions/your-slug/.")
    # Not signed content (a sheet signs the condition's name only): codes say where an EHR's problem list
    # finds this condition's sheets (factsheets.api.infobutton), and an editor may correct them at any time.
    icd10cm = code_systems.code_list_field(
        code_systems.ICD10CM,
        "ICD-10-CM codes",
        "ICD-10-CM codes of this condition, e.g. M06.9. A category (M05) also finds every code within it.",
    )
    snomedct = code_systems.code_list_field(
        code_systems.SNOMEDCT,
        "SNOMED CT concepts",
        "SNOMED CT concept ids of this condition, e.g. 69896004.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "condition"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("factsheets:condition", args=[self.slug])

    def codes(self) -> dict:
        return {"icd10cm": list(self.icd10cm or []), "snomedct": list(self.snomedct or [])}


class FactSheetQuerySet(models.QuerySet):
    def live(self):
        """Sheets a patient can read: published at least once and not withdrawn."""
        return self.filter(live_revision__isnull=False, withdrawn_at__isnull=True)


class FactSheet(models.Model):
    """One drug page with a stable address. Everything a patient reads lives in its revisions: the sheet
    holds only the address, the pointer to the live version and a withdrawal."""

    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The permanent part of the public address /factsheets/your-slug/. Do not change once published.",
    )
    live_revision = models.OneToOneField(
        "FactSheetRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="live_for",
        editable=False,
        help_text="The revision patients see. Set only by publishing.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(
        blank=True, editable=False, max_length=2000, validators=[no_nul_bytes, MaxLengthValidator(2000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = FactSheetQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = "fact sheet"
        permissions = [("withdraw_factsheet", "Can withdraw a published fact sheet")]

    def __str__(self):
        if self.live_revision_id and self.live_revision:
            return self.live_revision.title
        return self.slug

    def get_absolute_url(self):
        return reverse("factsheets:detail", args=[self.slug])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
