"""Ship a starter glossary of medical words and the plain words to use instead (written by us).

Editors change or extend it in the admin. Reversing removes only the terms this migration added and
that still say what it said.
"""

from django.db import migrations
from django.db.models.functions import Lower

TERMS = [
    ("abdomen", "belly", ""),
    ("acute", "sudden, short-term", "Patients often read “acute” as “severe”."),
    ("administer", "give", ""),
    ("adverse event", "side effect", "Or “unwanted effect”."),
    ("adverse reaction", "side effect", ""),
    ("analgesic", "pain medicine", ""),
    ("anaphylaxis", "severe allergic reaction", "Say what to do: call emergency services."),
    ("anemia", "low red blood cell count", ""),
    ("antibody", "infection-fighting protein", ""),
    ("anticoagulant", "blood thinner", ""),
    ("antipyretic", "fever reducer", ""),
    ("arthralgia", "joint pain", ""),
    ("benign", "not cancer", ""),
    ("biologic", "medicine made from living cells", ""),
    ("cardiac", "heart", ""),
    ("cardiovascular", "heart and blood vessel", ""),
    ("chronic", "long-lasting", ""),
    ("comorbidity", "other health problem", ""),
    ("concomitant", "at the same time", ""),
    ("contraindicated", "should not be used", ""),
    ("contraindication", "reason not to use", ""),
    ("cutaneous", "skin", ""),
    ("dermatologic", "skin", ""),
    ("discontinue", "stop", ""),
    ("dosage", "amount", "“Dose” is fine; say how much and how often."),
    ("dyspnea", "shortness of breath", ""),
    ("edema", "swelling", ""),
    ("efficacy", "how well it works", ""),
    ("erythema", "redness", ""),
    ("gastrointestinal", "stomach and bowel", ""),
    ("hematologic", "blood", ""),
    ("hepatic", "liver", ""),
    ("hepatotoxicity", "liver damage", ""),
    ("hypersensitivity", "allergy", ""),
    ("hypertension", "high blood pressure", ""),
    ("hypotension", "low blood pressure", ""),
    ("immunosuppressed", "with a weakened immune system", ""),
    ("immunosuppression", "weakened immune system", ""),
    ("indication", "reason to use", ""),
    ("inflammation", "swelling and irritation", ""),
    ("injection site reaction", "redness or soreness where the shot was given", ""),
    ("intramuscular", "into a muscle", ""),
    ("intravenous", "into a vein", "Or “through a drip”."),
    ("lesion", "sore or damaged area", ""),
    ("malignancy", "cancer", ""),
    ("monotherapy", "used on its own", ""),
    ("myalgia", "muscle pain", ""),
    ("nausea", "feeling sick to your stomach", ""),
    ("neutropenia", "low white blood cell count", "Explain the risk: infections are more likely."),
    ("oral", "by mouth", ""),
    ("orally", "by mouth", ""),
    ("prophylaxis", "prevention", ""),
    ("pruritus", "itching", ""),
    ("pulmonary", "lung", ""),
    ("renal", "kidney", ""),
    ("serious infection", "infection that may need hospital care", "Give the warning signs, such as fever."),
    ("subcutaneous", "under the skin", ""),
    ("subcutaneously", "under the skin", ""),
    ("syncope", "fainting", ""),
    ("therapeutic", "treatment", ""),
    ("thrombocytopenia", "low platelet count", "Explain: bruising and bleeding more easily."),
    ("titrate", "adjust the dose step by step", ""),
    ("topical", "put on the skin", ""),
    ("toxicity", "harm", ""),
    ("upper respiratory tract infection", "cold or chest infection", ""),
    ("immunization", "vaccine", ""),
    ("live vaccine", "vaccine made with a weakened germ", "Say which vaccines to avoid and why."),
]


def add_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("factsheets", "GlossaryTerm")
    existing = set(GlossaryTerm.objects.annotate(key=Lower("term")).values_list("key", flat=True))
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(term=term, plain=plain, note=note) for term, plain, note in TERMS if term.lower() not in existing
    )


def remove_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("factsheets", "GlossaryTerm")
    for term, plain, note in TERMS:
        GlossaryTerm.objects.filter(term=term, plain=plain, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0003_glossary_term")]

    operations = [migrations.RunPython(add_terms, remove_terms)]
