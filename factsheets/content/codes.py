"""Drug and condition codes: the formats of each code system, one normal form per code, and the HL7 OIDs.

A version carries the drug's RxNorm ingredient RXCUIs, ATC codes and NDC product codes; a condition
carries ICD-10-CM and SNOMED CT codes. Each system has one `normalise_<system>(text)` that returns the
code in its stored form or raises ValidationError with a message an author can act on. Models store
lists of normal forms (the validators below refuse anything else, whichever path wrote them), the admin
form fields normalise what an author types, and the infobutton normalises a request's code the same way,
so "0002-1433-80" typed in the admin and "00002143380" sent by an EHR are the same NDC.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

# HL7 object identifiers of the code systems (the infobutton's mainSearchCriteria.v.cs).
RXNORM, NDC, ATC, ICD10CM, SNOMEDCT = "rxnorm", "ndc", "atc", "icd10cm", "snomedct"
OIDS = {
    "2.16.840.1.113883.6.88": RXNORM,
    "2.16.840.1.113883.6.69": NDC,
    "2.16.840.1.113883.6.73": ATC,
    "2.16.840.1.113883.6.90": ICD10CM,
    "2.16.840.1.113883.6.96": SNOMEDCT,
}
DRUG_SYSTEMS = (RXNORM, ATC, NDC)
CONDITION_SYSTEMS = (ICD10CM, SNOMEDCT)
LABELS = {
    RXNORM: "RxNorm RXCUI",
    NDC: "NDC",
    ATC: "ATC code",
    ICD10CM: "ICD-10-CM code",
    SNOMEDCT: "SNOMED CT concept id",
}
MAX_CODES = 50  # per system and record: a drug has a handful of ingredients, a few dozen packages at most
_SEPARATORS = re.compile(r"[\s,;]+")


def _invalid(system: str, raw: str, why: str) -> ValidationError:
    return ValidationError(f"“{raw}” is not a valid {LABELS[system]}: {why}", code=f"invalid_{system}")


def normalise_rxnorm(raw: str) -> str:
    """An RXCUI (RxNorm concept unique identifier) is a positive whole number."""
    code = raw.strip()
    if not re.fullmatch(r"[0-9]{1,10}", code) or int(code) == 0:
        raise _invalid(RXNORM, raw, "an RXCUI is a number of 1 to 10 digits, e.g. 6851.")
    return str(int(code))  # leading zeros are not part of an RXCUI


# ATC anatomical main groups: the first letter of every ATC code.
ATC_MAIN_GROUPS = "ABCDGHJLMNPRSV"
# Levels 1 to 5: A, A01, A01A, A01AB, A01AB03. A sheet about one substance carries level 5; a sheet about a
# class of drugs (e.g. "TNF inhibitors") may carry the chemical subgroup at level 4 or 3.
_ATC = re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?")


def normalise_atc(raw: str) -> str:
    code = raw.strip().upper()
    if not _ATC.fullmatch(code):
        raise _invalid(
            ATC,
            raw,
            "write it as letter, 2 digits, 2 letters, 2 digits (e.g. L04AC03), or a shorter level of it (L04AC).",
        )
    if code[0] not in ATC_MAIN_GROUPS:
        raise _invalid(ATC, raw, f"ATC codes start with one of the letters {', '.join(ATC_MAIN_GROUPS)}.")
    return code


# 10-digit NDCs come in three dashed layouts; each becomes the 11-digit 5-4-2 form (HIPAA) by a leading zero
# in the short segment.
_NDC_LAYOUTS = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2, (5, 4, 2): None}


def normalise_ndc(raw: str) -> str:
    """The NDC as 11 digits in 5-4-2 with dashes, e.g. "0002-1433-80" -> "00002-1433-80"."""
    code = raw.strip()
    if re.fullmatch(r"[0-9]{11}", code):
        return f"{code[:5]}-{code[5:9]}-{code[9:]}"
    parts = code.split("-")
    if re.fullmatch(r"[0-9]{10}", code):
        raise _invalid(
            NDC,
            raw,
            "10 digits without dashes are ambiguous; write it with its dashes (4-4-2, 5-3-2 or 5-4-1) as on the package.",
        )
    layout = tuple(len(p) for p in parts)
    if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts) or layout not in _NDC_LAYOUTS:
        raise _invalid(
            NDC, raw, "write it as on the package, 4-4-2, 5-3-2 or 5-4-1 digits with dashes, or as 11 digits."
        )
    short = _NDC_LAYOUTS[layout]
    if short is not None:
        parts[short] = "0" + parts[short]
    return "-".join(parts)


def ndc_candidates(raw: str) -> list[str]:
    """The stored forms an NDC in a request may mean: one, or three for 10 digits sent without dashes."""
    code = raw.strip()
    if re.fullmatch(r"[0-9]{10}", code):
        return [
            normalise_ndc(f"{code[:4]}-{code[4:8]}-{code[8:]}"),
            normalise_ndc(f"{code[:5]}-{code[5:8]}-{code[8:]}"),
            normalise_ndc(f"{code[:5]}-{code[5:9]}-{code[9:]}"),
        ]
    return [normalise_ndc(code)]


# ICD-10-CM: category (letter, digit, digit or letter: M05, C4A) and up to four more characters after the dot.
_ICD10CM = re.compile(r"([A-Z][0-9][0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?")


def normalise_icd10cm(raw: str) -> str:
    """E.g. "m05.79" or "M0579" -> "M05.79"."""
    code = raw.strip().upper()
    match = _ICD10CM.fullmatch(code)
    if not match:
        raise _invalid(
            ICD10CM,
            raw,
            "write a letter, two characters, then optionally a dot and up to 4 more, e.g. M05.79 or M06.9.",
        )
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def icd10cm_ancestors(code: str) -> list[str]:
    """The code and each broader code above it: M05.79 -> [M05.79, M05.7, M05]. A condition coded with a
    category is found by a request for any code within it."""
    category, _, rest = code.partition(".")
    return [f"{category}.{rest[:n]}" for n in range(len(rest), 0, -1)] + [category]


# Verhoeff's dihedral group tables, as in the SNOMED CT technical implementation guide (check digit of ids).
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the others."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


# The two digits before the check digit say what an id names: 00 and 10 are concepts (01/11 descriptions,
# 02/12 relationships), and a problem is coded with a concept.
_CONCEPT_PARTITIONS = ("00", "10")


def normalise_snomedct(raw: str) -> str:
    code = raw.strip()
    if not re.fullmatch(r"[1-9][0-9]{5,17}", code):
        raise _invalid(SNOMEDCT, raw, "a SNOMED CT id is 6 to 18 digits, not starting with 0, e.g. 69896004.")
    if not verhoeff_valid(code):
        raise _invalid(
            SNOMEDCT, raw, "its check digit (the last digit) does not match; look for a mistyped or swapped digit."
        )
    if code[-3:-1] not in _CONCEPT_PARTITIONS:
        raise _invalid(SNOMEDCT, raw, "this id names a description or relationship, not a concept; use the concept id.")
    return code


NORMALISERS = {
    RXNORM: normalise_rxnorm,
    ATC: normalise_atc,
    NDC: normalise_ndc,
    ICD10CM: normalise_icd10cm,
    SNOMEDCT: normalise_snomedct,
}


def parse_code_list(system: str, text: str) -> list[str]:
    """Codes typed by an author (separated by commas, spaces or new lines), normalised, duplicates dropped, in
    the order given. Raises ValidationError listing every code that is not valid."""
    codes, errors = [], []
    for raw in _SEPARATORS.split(text or ""):
        if not raw:
            continue
        try:
            code = NORMALISERS[system](raw)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_CODES:
        errors.append(f"At most {MAX_CODES} codes of each kind; this list has {len(codes)}.")
    if errors:
        raise ValidationError(errors)
    return codes


@deconstructible
class CodeListValidator:
    """A stored list of codes of one system: each in its normal form, no duplicates, at most MAX_CODES."""

    def __init__(self, system: str):
        self.system = system

    def __call__(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise ValidationError(f"Give the {LABELS[self.system]}s as a list of texts.", code="invalid_code_list")
        if parse_code_list(self.system, " ".join(value)) != value:
            raise ValidationError(
                f"Write each {LABELS[self.system]} once, in its standard form: "
                f"{', '.join(parse_code_list(self.system, ' '.join(value)))}.",
                code="code_not_normalised",
            )

    def __eq__(self, other):
        return isinstance(other, CodeListValidator) and other.system == self.system


def code_list_field(system: str, verbose_name: str, help_text: str) -> models.JSONField:
    """A list of codes of one system, stored in canonical form and checked on every save."""
    return models.JSONField(
        verbose_name, default=list, blank=True, validators=[CodeListValidator(system)], help_text=help_text
    )
