"""Process: committees, their reviews of revisions and the append-only sign-offs (decisions).

State changes happen only in `reviews.services`; these models hold the record.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from factsheets.models import FactSheetRevision, Rendition
from factsheets.content.validators import no_nul_bytes

from . import chain

# The database refuses a quorum below this whatever the setting says: nobody publishes alone.
QUORUM_FLOOR = 2


def min_approvals() -> int:
    return max(QUORUM_FLOOR, int(getattr(settings, "REVIEWS_MIN_APPROVALS", QUORUM_FLOOR)))


def validate_quorum(value) -> None:
    if value is not None and value < min_approvals():
        raise ValidationError(
            f"A committee needs at least {min_approvals()} approvals to publish (the site minimum); "
            f"{value} is too few.",
            code="quorum_below_minimum",
        )


class Committee(models.Model):
    name = models.CharField(
        max_length=300,
        unique=True,
        validators=[no_nul_bytes],
        help_text="As printed in the credit line, e.g. “Committee on Communications and Marketing”.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="committees",
        help_text="Reviewers who may sign off for this committee.",
    )
    required_approvals = models.PositiveSmallIntegerField(
        default=2,
        validators=[validate_quorum],
        help_text="How many distinct approvals publish a revision (quorum); never below the site minimum "
        "(REVIEWS_MIN_APPROVALS, at least 2). A review keeps the quorum in force when it was opened.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=36,
        validators=[MinValueValidator(1)],
        help_text="A published sheet is due for review this many months after its last review.",
    )
    max_reading_grade = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("1.0"))],
        help_text="Target reading grade (Flesch-Kincaid). Submitting a version that reads above it needs a written justification.",
    )
    reviews_translations = models.BooleanField(
        default=False,
        help_text="Translation reviewers: versions in another language than English (the Spanish edition) are "
        "reviewed by a committee marked so, never by one that is not.",
    )
    signing_needs_authenticator = models.BooleanField(
        default=False,
        help_text="Signing needs an authenticator code: members then enrol an authenticator app on their account "
        "page and type its current code with their password. Applies to reviews opened after the change.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "committee"
        constraints = [
            models.CheckConstraint(
                condition=Q(required_approvals__gte=QUORUM_FLOOR), name="committee_quorum_at_least_two"
            ),
        ]

    def __str__(self):
        return self.name


class ReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Review.Status.OPEN)

    def awaiting(self, user):
        """Open reviews the user may sign (a member at submission) and has not signed yet."""
        return self.open().filter(members=user).exclude(decisions__reviewer=user)


class Review(models.Model):
    """One committee's review of one revision. At most one is open per revision."""

    class Status(models.TextChoices):
        OPEN = "open", "Open, awaiting sign-off"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn", "Withdrawn by the author"

    class Kind(models.TextChoices):
        REVISION = "revision", "Review of a new version"
        REAFFIRMATION = "reaffirmation", "Reaffirmation of the live version"

    revision = models.ForeignKey(FactSheetRevision, on_delete=models.PROTECT, related_name="reviews")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.REVISION, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN, editable=False, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False, help_text="The content hash under review.")
    rendition = models.ForeignKey(
        Rendition,
        null=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        editable=False,
        help_text="The stored rendition under review: exactly what the reviewers read and sign.",
    )
    reading_justification = models.TextField(
        blank=True,
        max_length=5000,
        editable=False,
        help_text="Why the version reads above the committee's target grade, as written by the submitter.",
    )
    # The rules in force when the review was opened: later changes to the committee do not apply to it.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The committee's members when the version was submitted; only they sign this review.",
    )
    quorum = models.PositiveSmallIntegerField(
        null=True, editable=False, help_text="Approvals this review needs: the committee's quorum at submission."
    )
    needs_authenticator = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether signing needs an authenticator code (the committee's setting at submission).",
    )

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "review"
        permissions = [("start_reaffirmation", "Can ask a committee to reaffirm a live fact sheet")]
        constraints = [
            models.UniqueConstraint(
                fields=["revision"], condition=Q(status="open"), name="one_open_review_per_revision"
            ),
            models.CheckConstraint(
                condition=Q(quorum__isnull=True) | Q(quorum__gte=QUORUM_FLOOR), name="review_quorum_at_least_two"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.revision} by the {self.committee}"

    def delete(self, *args, **kwargs):
        raise ValidationError("A review is part of the record and can never be deleted.")


class Decision(models.Model):
    """A reviewer's electronic signature on a review. Append-only: never edited, never deleted."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    MEANINGS = {
        Verdict.APPROVE: "Approved for publication to patients",
        Verdict.REQUEST_CHANGES: "Changes requested",
    }
    REAFFIRM_MEANING = "Reaffirmed as current for patients"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    verdict = models.CharField(max_length=20, choices=Verdict)
    comment = models.TextField(blank=True, max_length=10_000, validators=[no_nul_bytes, MaxLengthValidator(10_000)])
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64, help_text="The content hash the reviewer signed.")
    rendition_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="The hash of the stored rendition the reviewer signed (empty before renditions).",
    )
    printed_name = models.CharField(max_length=300, help_text="The reviewer's name as printed on the record.")
    meaning = models.CharField(max_length=200, help_text="What the signature means.")
    conflict_of_interest = models.TextField(
        blank=True,
        max_length=5000,
        validators=[no_nul_bytes, MaxLengthValidator(5000)],
        help_text="The reviewer's declaration; empty means “none declared”.",
    )
    second_factor = models.BooleanField(default=False, help_text="An authenticator code was given with the password.")
    # Hash chain over every sign-off (like a transparency log): removing, inserting or editing one breaks it.
    sequence = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain of all sign-offs, from 1.")
    previous_hash = models.CharField(
        max_length=64, blank=True, help_text="The chain hash of the sign-off before this one."
    )
    chain_hash = models.CharField(
        max_length=64, help_text="SHA-256 over this sign-off's fields and the previous chain hash."
    )

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = "sign-off"
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="one_decision_per_reviewer_per_review"),
            models.CheckConstraint(condition=Q(verdict="approve") | ~Q(comment=""), name="request_changes_has_comment"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="decision_sequence_positive"),
        ]

    def __str__(self):
        return f"{self.printed_name}: {self.meaning} ({self.signed_at:%Y-%m-%d %H:%M} UTC)"

    def save(self, *args, **kwargs):
        if self.pk and Decision.objects.filter(pk=self.pk).exists():
            raise ValidationError("A sign-off is part of the record and can never be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A sign-off is part of the record and can never be deleted.")

    def chain_fields(self) -> dict:
        return chain.decision_fields(self)

    def compute_chain_hash(self) -> str:
        return chain.chain_hash(self.chain_fields(), self.previous_hash)


class NotificationFailure(models.Model):
    """A workflow email that could not be sent (mail server down, refused address, bad header).

    Logged and kept here so the sheet's versions page says "notification not sent" instead of the
    people concerned silently never hearing about a review, a decision or a publication."""

    revision = models.ForeignKey(FactSheetRevision, on_delete=models.CASCADE, related_name="notification_failures")
    subject = models.CharField(max_length=300)
    recipients = models.TextField(help_text="Addresses it was meant for, comma-separated.")
    error = models.TextField(help_text="What the mail system answered.")
    failed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = "notification not sent"
        verbose_name_plural = "notifications not sent"

    def __str__(self):
        return f"Not sent: {self.subject} ({self.failed_at:%Y-%m-%d %H:%M} UTC)"


class AccessEvent(models.Model):
    """Who changed what about a person's power to sign: their password or email, their roles, the committees
    they sit on, a committee's quorum. Append-only (database triggers); written by `reviews.access`."""

    class Kind(models.TextChoices):
        PASSWORD_SET = "password_set", "Password set"
        EMAIL_SET = "email_set", "Email address set"
        ROLE_GRANTED = "role_granted", "Role granted"
        ROLE_REMOVED = "role_removed", "Role removed"
        MEMBER_ADDED = "member_added", "Added to a committee"
        MEMBER_REMOVED = "member_removed", "Removed from a committee"
        QUORUM_CHANGED = "quorum_changed", "Committee quorum changed"
        AUTHENTICATOR_ENROLLED = "authenticator_enrolled", "Authenticator app enrolled"
        AUTHENTICATOR_REMOVED = "authenticator_removed", "Authenticator app removed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_events",
        help_text="Whose account or power changed (empty for a committee's quorum).",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the change; empty when it came from the command line or a script.",
    )
    by_owner = models.BooleanField(default=False, help_text="The account's owner made this change themselves.")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=30, choices=Kind)
    via = models.CharField(max_length=200, help_text="The screen or command that made the change.")
    committee = models.ForeignKey("Committee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "access event"

    def __str__(self):
        who = "its owner" if self.by_owner else (str(self.actor) if self.actor_id else "a command or script")
        return f"{self.get_kind_display()} for {self.user or self.committee} by {who} ({self.at:%Y-%m-%d %H:%M} UTC)"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("An access event is part of the record and can never be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An access event is part of the record and can never be deleted.")


class ReviewComment(models.Model):
    """A reviewer's comment on one field or section of the version, given with their sign-off.

    Written in the same transaction as its decision and never changed after (database triggers); its text
    is also part of the decision's signed comment, so the hash chain covers it."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="inline_comments")
    field = models.CharField(
        max_length=40,
        help_text="Which part of the version: title, generic_name, brand_names, summary, "
        "fast_facts, used_for, credit_line or section-<section id>.",
    )
    label = models.CharField(
        max_length=300, help_text="The part's name as the reviewer saw it, e.g. “Section: Dosing”."
    )
    body = models.TextField(max_length=2000, validators=[no_nul_bytes, MaxLengthValidator(2000)])

    class Meta:
        ordering = ["id"]
        verbose_name = "comment on a field"
        verbose_name_plural = "comments on fields"

    def __str__(self):
        return f"{self.label}: {self.body[:60]}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("A comment given with a sign-off is part of the record and can never be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A comment given with a sign-off is part of the record and can never be deleted.")


class CommentResolution(models.Model):
    """An author's mark that one reviewer comment was dealt with, and how: shown beside the comment in the
    draft editor and on the next review of the version. Its own append-only row, as the comment itself
    can never change (database triggers)."""

    comment = models.OneToOneField(ReviewComment, on_delete=models.PROTECT, related_name="resolution")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField()
    note = models.TextField(blank=True, max_length=2000, validators=[no_nul_bytes, MaxLengthValidator(2000)])

    class Meta:
        ordering = ["id"]
        verbose_name = "resolution of a comment"

    def __str__(self):
        return f"{self.comment.label}: resolved by {self.resolved_by} ({self.resolved_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("A resolution is part of the record and can never be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A resolution is part of the record and can never be deleted.")
