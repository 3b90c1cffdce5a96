"""Public answers ready to send: the bytes, status and headers the app answered for a sheet's address, kept in
the database so a cold request (fresh worker, empty cache) is one indexed read (factsheets.public.answers)."""

from django.db import models


class AnswerGeneration(models.Model):
    """The current generation of one scope of public answers: `all` (renewed by a site-wide change) or
    `sheet-<slug>` (renewed by each publish, reaffirmation or withdrawal of that sheet). A stored answer is
    served only while both generations it was built under are still the current ones."""

    scope = models.CharField(max_length=220, primary_key=True)
    value = models.CharField(max_length=32)

    class Meta:
        verbose_name = "answer generation"

    def __str__(self):
        return f"{self.scope}: {self.value}"


class StoredAnswer(models.Model):
    """One anonymous answer for one address and request shape (`key`), as Django sent it. Not part of the record:
    a cache the workflow makes stale by renewing a generation, never by editing a row."""

    key = models.CharField(max_length=64, help_text="SHA-256 of the address and request shape.")
    path = models.CharField(max_length=512)
    scope = models.CharField(max_length=220)
    generation = models.CharField(max_length=32, help_text="The sheet's generation when it was built.")
    everything = models.CharField(max_length=32, help_text="The site-wide generation when it was built.")
    build = models.CharField(max_length=32, help_text="The code and templates it was built with.")
    status = models.PositiveSmallIntegerField()
    headers = models.TextField(help_text="JSON list of [name, value].")
    body = models.BinaryField()
    stored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "stored answer"
        # One answer per request shape and build: in a rolling deploy the old and new servers keep their own.
        constraints = [models.UniqueConstraint(fields=["key", "build"], name="stored_answer_key_build")]

    def __str__(self):
        return f"{self.path} ({self.status})"
