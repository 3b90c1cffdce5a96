"""Validators for author-editable text, attached to the model fields (so admin forms, imports and
`full_clean()` all refuse the same input with the same message)."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from factsheets.content.limits import fast_facts_problems


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
    """Fast facts are a short list of short, plain statements (numbers in `factsheets.content.limits`)."""

    def __call__(self, value) -> None:
        problems = fast_facts_problems(value)
        if problems:
            raise ValidationError(problems)

    def __eq__(self, other):
        return isinstance(other, FastFactsValidator)
