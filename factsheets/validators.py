"""Validators for author-editable text, attached to the model fields (so admin forms, imports and
`full_clean()` all refuse the same input with the same message)."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

FAST_FACTS_MAX_ITEMS = 20
FAST_FACT_MAX_LENGTH = 500


def _strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings_in(item)


def no_nul_bytes(value) -> None:
    """Refuse the NUL character (U+0000): invisible, meaningless in patient text, and PostgreSQL can't store it."""
    if any("\x00" in text for text in _strings_in(value)):
        raise ValidationError(
            "This text contains a NUL character (U+0000), which is not allowed. It usually comes from copying "
            "out of another program; retype or paste the text as plain text.",
            code="null_characters_not_allowed",
        )


@deconstructible
class FastFactsValidator:
    """Fast facts are a short list of short, plain statements."""

    def __init__(self, max_items: int = FAST_FACTS_MAX_ITEMS, max_length: int = FAST_FACT_MAX_LENGTH):
        self.max_items = max_items
        self.max_length = max_length

    def __call__(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError("Fast facts must be a list of short statements (text).", code="invalid_fast_facts")
        if len(value) > self.max_items:
            raise ValidationError(
                f"At most {self.max_items} fast facts are allowed; this has {len(value)}.", code="too_many_fast_facts"
            )
        for number, item in enumerate(value, start=1):
            if len(item) > self.max_length:
                raise ValidationError(
                    f"Fast fact {number} is {len(item)} characters long; keep each to {self.max_length} or fewer.",
                    code="fast_fact_too_long",
                )

    def __eq__(self, other):
        return isinstance(other, FastFactsValidator) and (self.max_items, self.max_length) == (
            other.max_items, other.max_length
        )
