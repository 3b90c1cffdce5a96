"""Reading ease of Spanish text: Fernández Huerta and Szigriszt-Pazos, and what a committee's target means.

Both formulas are textstat's (same constants), on Spanish counts:

    Fernández Huerta = 206.84 - 60 * (syllables / words) - 1.02 * (words / sentences)
    Szigriszt-Pazos  = 206.84 - 62.3 * (syllables / words) - (words / sentences)

They give an *ease* from 0 to 100 (higher is easier), not a school grade. Words and sentences are counted
by textstat's own functions. Syllables are counted here, by the rules of Spanish spelling: each group of
vowels is one syllable, except that two strong vowels (a, e, o) or a strong vowel next to an accented í or
ú are in hiatus and count as two ("le-er", "dí-a", "o-í-do"); "y" is a vowel only where no vowel follows it
("hoy", "muy", "y"), and "h" between vowels does not join them ("a-ho-ra"). The hyphenation dictionary
(pyphen's "es") is not used for this: it never splits off a one-letter syllable or a hiatus, so it counts
"agua", "día" and "oído" a syllable short and makes hard text look easier.

Nothing here touches textstat's global language (`textstat.set_lang` is shared by every thread).

The committee's target is a school grade (`max_reading_grade`, default 8). `minimum_ease` is the one place
that turns it into the lowest Szigriszt-Pazos ease a Spanish text may have, on the INFLESZ scale
(Barrio-Cantalejo et al., 2008), which names the school level each band of the scale suits:

    ease >= 80  muy fácil        educación primaria (to grade 6)
    65 to 80    bastante fácil   educación primaria (to grade 6)
    55 to 65    normal           ESO, secundaria (grades 7 to 10)
    40 to 55    algo difícil     bachillerato (grades 11 and 12)
    below 40    muy difícil      universidad

So a target of grade 6 or lower needs an ease of at least 65, a target up to grade 10 at least 55 (INFLESZ's
own advice for health information for the public), up to grade 12 at least 40, and a higher target sets no minimum.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from textstat.backend.counts import count_sentences, count_words
from textstat.backend.selections import list_words

FORMULA_BASE = 206.84

# (highest school grade a target may name, lowest Szigriszt-Pazos ease it then requires)
_TARGET_BANDS = ((6.0, 65.0), (10.0, 55.0), (12.0, 40.0))
# (lowest ease of the band, INFLESZ label, school level)
INFLESZ_BANDS = (
    (80.0, "muy fácil", "educación primaria"),
    (65.0, "bastante fácil", "educación primaria"),
    (55.0, "normal", "ESO"),
    (40.0, "algo difícil", "bachillerato"),
    (float("-inf"), "muy difícil", "universidad"),
)

_STRONG = set("aeoáéó")
_ACCENTED_WEAK = set("íú")
_VOWELS = set("aeiouáéíóúü")


def minimum_ease(target_grade) -> float | None:
    """The lowest Szigriszt-Pazos ease a Spanish text may have under a committee's grade target; None when a
    target above grade 12 sets no minimum (the formulas go below 0 for very hard text)."""
    grade = float(target_grade)
    for highest_grade, ease in _TARGET_BANDS:
        if grade <= highest_grade:
            return ease
    return None


def inflesz_band(ease: float) -> tuple[str, str]:
    """(INFLESZ label, school level) of a Szigriszt-Pazos ease."""
    for lowest, label, level in INFLESZ_BANDS:
        if ease >= lowest:
            return label, level
    raise AssertionError("unreachable: the last band has no lower bound")  # pragma: no cover


def _nuclei(group: str) -> int:
    count = 1
    for left, right in zip(group, group[1:], strict=False):
        strong_pair = left in _STRONG and right in _STRONG
        accented_hiatus = (left in _ACCENTED_WEAK and right in _STRONG) or (left in _STRONG and right in _ACCENTED_WEAK)
        if strong_pair or accented_hiatus:
            count += 1
    return count


def word_syllables(word: str) -> int:
    """Syllables of one Spanish word: at least one, as textstat counts a number or an abbreviation."""
    word = unicodedata.normalize("NFC", word.lower())
    count, group = 0, ""
    for index, char in enumerate(word):
        following = word[index + 1] if index + 1 < len(word) else ""
        is_vowel = char in _VOWELS or (char == "y" and following not in _VOWELS and (group or not following))
        if is_vowel:
            group += char
        elif char == "h" and group and following in _VOWELS:
            count += _nuclei(group)  # "h" keeps the vowels on either side apart
            group = ""
        else:
            if group:
                count += _nuclei(group)
            group = ""
    if group:
        count += _nuclei(group)
    return max(count, 1)


def syllable_count(text: str) -> int:
    return sum(word_syllables(word) for word in list_words(text, lowercase=True))


@dataclass(frozen=True)
class Counts:
    words: int
    sentences: int
    syllables: int


def counts(text: str) -> Counts:
    return Counts(words=count_words(text), sentences=max(count_sentences(text), 1), syllables=syllable_count(text))


def fernandez_huerta(c: Counts) -> float:
    return FORMULA_BASE - 60 * (c.syllables / c.words) - 1.02 * (c.words / c.sentences)


def szigriszt_pazos(c: Counts) -> float:
    return FORMULA_BASE - 62.3 * (c.syllables / c.words) - (c.words / c.sentences)
