"""Ship a starter Spanish glossary: medical words and the plain words to use instead (written by us).

Editors change or extend it in the admin. Reversing removes only the terms this migration added and
that still say what it said.
"""

from django.db import migrations
from django.db.models.functions import Lower

LANGUAGE = "es"
TERMS = [
    ("administrar", "dar", ""),
    ("analgésico", "medicamento para el dolor", ""),
    ("anafilaxia", "reacción alérgica grave", "Diga qué hacer: llamar a emergencias."),
    ("anemia", "pocos glóbulos rojos", ""),
    ("anticoagulante", "medicamento para que la sangre no coagule", ""),
    ("antipirético", "medicamento para la fiebre", ""),
    ("artralgia", "dolor de las articulaciones", ""),
    ("benigno", "que no es cáncer", ""),
    ("cardíaco", "del corazón", ""),
    ("cefalea", "dolor de cabeza", ""),
    ("concomitante", "al mismo tiempo", ""),
    ("contraindicación", "razón para no usarlo", ""),
    ("contraindicado", "no se debe usar", ""),
    ("crónico", "de larga duración", ""),
    ("cutáneo", "de la piel", ""),
    ("disnea", "falta de aire", ""),
    ("edema", "hinchazón", ""),
    ("eficacia", "lo bien que funciona", ""),
    ("eritema", "enrojecimiento de la piel", ""),
    ("gastrointestinal", "del estómago y el intestino", ""),
    ("hemorragia", "sangrado", ""),
    ("hepático", "del hígado", ""),
    ("hipertensión", "presión arterial alta", ""),
    ("hipotensión", "presión arterial baja", ""),
    ("inmunosupresor", "medicamento que baja las defensas", ""),
    ("insuficiencia hepática", "el hígado no funciona bien", ""),
    ("insuficiencia renal", "los riñones no funcionan bien", ""),
    ("intravenoso", "por la vena", ""),
    ("leucopenia", "pocos glóbulos blancos", ""),
    ("mialgia", "dolor muscular", ""),
    ("neutropenia", "pocos glóbulos blancos de los que combaten infecciones", ""),
    ("pirexia", "fiebre", ""),
    ("posología", "cuánto tomar y cada cuánto", "Diga la cantidad y cada cuánto tiempo."),
    ("profilaxis", "prevención", ""),
    ("prurito", "picazón", ""),
    ("reacción adversa", "efecto no deseado", ""),
    ("sistémico", "en todo el cuerpo", ""),
    ("terapia", "tratamiento", ""),
    ("tópico", "que se pone sobre la piel", ""),
    ("trombocitopenia", "pocas plaquetas (la sangre coagula peor)", ""),
]


def add_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("factsheets", "GlossaryTerm")
    existing = set(
        GlossaryTerm.objects.filter(language=LANGUAGE).annotate(key=Lower("term")).values_list("key", flat=True)
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(language=LANGUAGE, term=term, plain=plain, note=note)
        for term, plain, note in TERMS
        if term.lower() not in existing
    )


def remove_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("factsheets", "GlossaryTerm")
    for term, plain, note in TERMS:
        GlossaryTerm.objects.filter(language=LANGUAGE, term=term, plain=plain, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0016_edition_search_index")]

    operations = [migrations.RunPython(add_terms, remove_terms)]
