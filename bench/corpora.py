"""Pathological content within the limits: the inputs that used to make rendering, sanitising, jargon
marks, reading scores or the word diff slow. Shared by `bench/content.py` (prints timings) and the
tests (which assert outcomes on the same inputs, never times)."""

from __future__ import annotations

from factsheets.content import limits

BODY = limits.SECTION_BODY_MAX_LENGTH


def fill(pattern: str, length: int = BODY) -> str:
    """`pattern` repeated to exactly `length` characters."""
    return (pattern * (length // len(pattern) + 1))[:length]


def _nested_lists() -> str:
    lines, depth = [], 0
    while sum(len(line) + 1 for line in lines) < BODY - 200:
        lines.append("  " * depth + f"- point {len(lines)} about [a link](https://example.org/{len(lines)})")
        depth = (depth + 1) % limits.MARKDOWN_MAX_NESTING
    return "\n".join(lines)


def _jargon() -> str:
    words = "subcutaneous adverse event injections therapies renal hepatic anaphylaxis contraindicated chronic "
    return fill(words)


# name -> one section body of at most the section limit
BODIES: dict[str, str] = {
    "unclosed image brackets": fill("!["),
    "unclosed brackets": fill("["),
    "nested brackets": fill("[", BODY // 2) + fill("]", BODY // 2),
    "unclosed link destinations": fill("![a]("),
    "emphasis runs": fill("*a"),
    "mixed emphasis": fill("*_"),
    "underscores": fill("_a"),
    "stars only": fill("*"),
    "backticks": fill("`a"),
    "angle brackets": fill("<"),
    "entities": fill("&#"),
    "long unbroken word": fill("a"),
    "many links": fill("[a](https://example.org/x) "),
    "many autolinks": fill("<https://example.org/> "),
    "table rows": "|a|b|\n|-|-|\n" + fill("|a|b|\n", BODY - 12),
    "wide table": fill("|a", BODY // 2 - 1) + "\n" + fill("|-", BODY // 2 - 1),
    "nested lists at the limit": _nested_lists(),
    "quotes at the limit": "> " * limits.MARKDOWN_MAX_NESTING + fill("text ", BODY - 2 * limits.MARKDOWN_MAX_NESTING),
    "dense jargon": _jargon(),
    "many short lines": fill("a\n"),
    "repeated word": fill("the "),
}

# name -> (old body, new body): pairs the word diff of a review page has to compare
DIFF_PAIRS: dict[str, tuple[str, str]] = {
    "repeated word, shifted": (fill("a "), fill("b a ")),
    "repeated lines, shifted": (fill("a\n"), fill("b\na\n")),
    "alternating words swapped": (fill("a b "), fill("b a ")),
    "few distinct words reshuffled": (fill("the a of to "), fill("to of a the ")),
    "every word changed": (fill("once "), fill("twice ")),
    "long word, last letter changed": (fill("a"), fill("a", BODY - 1) + "b"),
}


def sections_for(body: str) -> int:
    """How many sections of this body fit in one version."""
    return min(limits.SECTIONS_MAX, (limits.VERSION_MAX_LENGTH - 2_000) // max(len(body), 1))
