"""The demo's content: users, committee, conditions and sample sheets with their versions, for `load_demo`.

All sheet text here is invented for the demo, written in our own words, and marked as sample content
that is not medical advice."""

COMMITTEE_NAME = "Committee on Patient Education"
# Reviews the Spanish editions (`Committee.reviews_translations`), with its own demo reviewers.
TRANSLATION_COMMITTEE_NAME = "Committee on Spanish Editions"
TRANSLATION_REVIEWERS = ("revisora_es", "revisor_es")
SAMPLE_NOTICE = "Sample content for trying out this system; not medical advice."
SAMPLE_FACT = "This is sample text for a demonstration. It is not medical advice."
CREDIT = "A. Morgan, MD (sample author)"

USERS = [
    # username, group, first name, last name, is_superuser
    ("author", "Authors", "Alex", "Morgan", False),
    ("reviewer1", "Reviewers", "Rita", "Okafor", False),
    ("reviewer2", "Reviewers", "Sam", "Lindqvist", False),
    ("editor", "Editors", "Eve", "Castillo", False),
    ("revisora_es", "Reviewers", "Lucía", "Ferrer", False),
    ("revisor_es", "Reviewers", "Tomás", "Ibarra", False),
    ("admin", None, "Site", "Administrator", True),
]

# Codes of the demo content, each checked against the public source named beside it; a code that could not
# be checked is left out (no RxNorm RXCUIs or ATC codes here: none could be checked offline against RxNav or
# the WHO ATC index).
CONDITION_CODES = {
    # ICD-10-CM categories M05 and M06 (tabular list, "Inflammatory polyarthropathies M05-M14", CDC/CMS
    # ICD-10-CM as shown on icd10data.com); SNOMED CT 69896004 |Rheumatoid arthritis (disorder)| (SNOMED
    # International editorial guide, "Rheumatoid arthritis").
    "rheumatoid-arthritis": {"icd10cm": ["M05", "M06"], "snomedct": ["69896004"]},
    # ICD-10-CM M10 Gout (tabular list; icd10data.com "2023 ICD-10-CM Diagnosis Code M10.9").
    "gout": {"icd10cm": ["M10"]},
}
SHEET_CODES = {
    # NDC 14445-170-01, allopurinol 100 mg tablets (openFDA NDC directory, api.fda.gov/drug/ndc.json).
    "allopurinol": {"ndc": ["14445-0170-01"]},
}

SAMPLE_NOTICE_ES = "Contenido de muestra para probar este sistema; no es consejo médico."
SAMPLE_FACT_ES = "Este texto es una muestra para una demostración. No es consejo médico."

CONDITIONS = [
    ("Rheumatoid arthritis", "rheumatoid-arthritis"),
    ("Psoriatic arthritis", "psoriatic-arthritis"),
    ("Gout", "gout"),
    ("Lupus", "lupus"),
    ("Giant cell arteritis", "giant-cell-arteritis"),
]


def version(title, summary, facts, sections, change_note):
    return {
        "title": title,
        "summary": f"{summary} {SAMPLE_NOTICE}",
        "fast_facts": [*facts, SAMPLE_FACT],
        "credit_line": CREDIT,
        "change_note": change_note,
        "sections": sections,
    }


def spanish_version(title, summary, facts, sections, change_note, *, generic_name):
    """A Spanish version: it translates the English version live when it is loaded; the generic name is the
    Spanish one (the brand names stay as sold)."""
    return {
        "language": "es",
        "title": title,
        "generic_name": generic_name,
        "summary": f"{summary} {SAMPLE_NOTICE_ES}",
        "fast_facts": [*facts, SAMPLE_FACT_ES],
        "credit_line": CREDIT,
        "change_note": change_note,
        "sections": sections,
    }


# The sections version 2 keeps word for word from version 1.
METHOTREXATE_INTRO = (
    (
        "overview",
        "What it is",
        "Methotrexate is one of the oldest and most used medicines for inflammatory arthritis. "
        "In arthritis it is given in **small weekly doses**.",
    ),
    (
        "how_it_works",
        "How it works",
        "It slows down some of the immune cells that cause swelling and pain in the joints.",
    ),
)

METHOTREXATE_V1 = version(
    "Methotrexate (sample sheet)",
    "Methotrexate is a weekly tablet or injection that calms an overactive immune system in arthritis.",
    [
        "You take it once a week, on the same day each week, never daily.",
        "It can take two to three months before you notice a difference.",
        "You will need regular blood tests while you take it.",
    ],
    [
        *METHOTREXATE_INTRO,
        (
            "dosing",
            "How to take it",
            "- Take it once a week, on a day you will remember.\n- Your doctor may add a "
            "vitamin called folic acid to lower side effects.",
        ),
        (
            "side_effects",
            "Side effects",
            "Some people feel sick or tired for a day after the dose. Tell your doctor about "
            "mouth sores, a cough that does not go away, or fever.",
        ),
    ],
    "First version of this sample sheet.",
)

METHOTREXATE_V2 = version(
    "Methotrexate (sample sheet)",
    "Methotrexate is a weekly tablet or injection that calms an overactive immune system in arthritis.",
    [
        "You take it once a week, on the same day each week, never daily.",
        "It can take two to three months before you notice a difference.",
        "You will need regular blood tests while you take it.",
        "Keep alcohol to a minimum while you take it.",
    ],
    [
        *METHOTREXATE_INTRO,
        (
            "dosing",
            "How to take it",
            "- Take it once a week, on a day you will remember.\n- Your doctor will usually add "
            "folic acid on another day of the week to lower side effects.",
        ),
        (
            "side_effects",
            "Side effects",
            "Some people feel sick or tired for a day after the dose. Tell your doctor about "
            "mouth sores, a cough that does not go away, or fever.",
        ),
        (
            "precautions",
            "Alcohol",
            "Both alcohol and this medicine are handled by the liver. Ask your doctor how much, if "
            "any, is safe for you.",
        ),
    ],
    "Added advice on alcohol and made the folic acid advice clearer.",
)

ALLOPURINOL_V1 = version(
    "Allopurinol (sample sheet)",
    "Allopurinol is a daily tablet that lowers uric acid to prevent gout attacks over time.",
    [
        "Take it every day, even when you have no pain.",
        "Attacks can happen more often in the first months; keep taking it.",
        "Drink plenty of water.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Gout happens when uric acid forms crystals in a joint. Allopurinol lowers the "
            "amount of uric acid your body makes, so crystals slowly dissolve.",
        ),
        (
            "dosing",
            "How to take it",
            "Your doctor starts with a low dose and raises it step by step until a blood test "
            "shows your uric acid is low enough.",
        ),
        ("side_effects", "Side effects", "Stop taking it and call your doctor at once if you get a **skin rash**."),
    ],
    "First version of this sample sheet.",
)

TOCILIZUMAB_V1 = version(
    "Tocilizumab (sample sheet)",
    "Tocilizumab is an injection or drip that blocks a signal of inflammation called IL-6.",
    [
        "It is given as an injection under the skin or as a drip into a vein.",
        "You will have blood tests for cholesterol and liver health.",
        "Tell your doctor before any vaccine.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Your body makes a messenger called IL-6 that switches on inflammation. This "
            "medicine blocks it, which lowers swelling and stiffness.",
        ),
        (
            "dosing",
            "How it is given",
            "Either you inject it under the skin every week or two, or a nurse gives it as a drip once a month.",
        ),
        (
            "side_effects",
            "Side effects",
            "Infections are the main risk. Call your doctor if you have a fever or feel unwell.",
        ),
    ],
    "First version of this sample sheet.",
)

# The version waiting for review, written plainly (about grade 8). It keeps a few clinical words a patient
# will hear from their care team, each explained in the text, so reviewers see the jargon hints at work.
TOCILIZUMAB_V2 = version(
    "Tocilizumab (sample sheet)",
    "Tocilizumab is a medicine for swollen joints and for swollen blood vessels in the head. It blocks a signal called IL-6.",
    [
        "You get it as a shot under the skin or as a drip into a vein.",
        "You will have blood tests for your liver, your cholesterol and your white blood cells.",
        "Do not have a live vaccine while you take it. Ask your doctor which vaccines are safe.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Your body makes a messenger called IL-6. It tells the immune system to cause "
            "swelling. This medicine stops the message. Your joints should be less stiff and sore.",
        ),
        (
            "dosing",
            "How you take it",
            "Your nurse may call the shot a subcutaneous injection. That means it goes just "
            "under the skin. You give it once a week or every other week. The drip goes into a vein once every four weeks "
            "at a clinic.",
        ),
        (
            "side_effects",
            "Side effects",
            "The most common problem is a cold or other infection of the nose and throat. "
            "Your doctor calls any side effect an adverse event. Call your doctor if you have a fever, a bad cough or "
            "sudden belly pain.",
        ),
        (
            "precautions",
            "Before you start",
            "Tell your doctor if you have liver trouble. Doctors call this a hepatic "
            "problem. Tell them too if you have an infection now. You may need to wait until it clears.",
        ),
    ],
    "Rewritten in plainer words, with more on blood tests and side effects.",
)

HYDROXYCHLOROQUINE_V1 = version(
    "Hydroxychloroquine (sample sheet)",
    "Hydroxychloroquine is a daily tablet used in lupus and mild arthritis.",
    [
        "Take it with food to avoid an upset stomach.",
        "You need an eye check before you start and then once a year.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "It gently calms the immune system. It does not weaken your defences against infection much.",
        ),
        ("discuss", "Talk to your doctor about", "- Any change in your eyesight\n- Plans to become pregnant"),
    ],
    "First version of this sample sheet.",
)
# What the committee sent back on it: a general comment and comments on single fields.
HYDROXYCHLOROQUINE_V1["changes_requested"] = (
    "Good start. Two things before we can approve it.",
    {
        "summary": "Say that it can take two to three months to work.",
        "fast_facts": "Add how often the eye check happens once you are on it.",
    },
)

# Spanish editions, in our own words. Allopurinol's translates its live English version (current);
# methotrexate's translates English version 1, and version 2 went live after it (stale: to update).
ALLOPURINOL_ES_V1 = spanish_version(
    "Alopurinol (hoja de muestra)",
    "El alopurinol es una pastilla diaria. Baja el ácido úrico y así evita ataques de gota con el tiempo.",
    [
        "Tómelo cada día, aunque no tenga dolor.",
        "Al principio puede tener más ataques. No deje de tomarlo.",
        "Beba mucha agua.",
    ],
    [
        (
            "how_it_works",
            "Cómo actúa",
            "La gota pasa cuando el ácido úrico forma cristales en una articulación. El alopurinol hace que "
            "su cuerpo haga menos ácido úrico. Así los cristales se deshacen poco a poco.",
        ),
        (
            "dosing",
            "Cómo tomarlo",
            "Su médico empieza con una dosis baja. La sube poco a poco hasta que un análisis de sangre "
            "muestra que el ácido úrico está bien.",
        ),
        (
            "side_effects",
            "Efectos no deseados",
            "Si le sale una **erupción en la piel**, deje de tomarlo y llame a su médico.",
        ),
    ],
    "Primera traducción de esta hoja de muestra.",
    generic_name="alopurinol",
)

METHOTREXATE_ES_V1 = spanish_version(
    "Metotrexato (hoja de muestra)",
    "El metotrexato es una pastilla o inyección semanal. Calma un sistema inmune demasiado activo en la artritis.",
    [
        "Se toma una vez por semana, el mismo día. Nunca cada día.",
        "Puede tardar dos o tres meses en notar el efecto.",
        "Necesita análisis de sangre con frecuencia mientras lo toma.",
    ],
    [
        (
            "overview",
            "Qué es",
            "El metotrexato es uno de los medicamentos más usados para la artritis. En la artritis se da "
            "en **dosis pequeñas una vez por semana**.",
        ),
        (
            "how_it_works",
            "Cómo actúa",
            "Frena algunas células de defensa que causan hinchazón y dolor en las articulaciones.",
        ),
        (
            "dosing",
            "Cómo tomarlo",
            "- Tómelo una vez por semana, un día que pueda recordar.\n- Su médico puede añadir una "
            "vitamina, el ácido fólico, para tener menos efectos no deseados.",
        ),
        (
            "side_effects",
            "Efectos no deseados",
            "Algunas personas se sienten mal o cansadas el día después de la dosis. Avise a su médico si "
            "tiene llagas en la boca, tos que no se va o fiebre.",
        ),
    ],
    "Primera traducción de esta hoja de muestra.",
    generic_name="metotrexato",
)

SHEETS = [
    # slug, generic name, brand names, conditions, versions (each with how many days ago it was written),
    # what happens to the last version (publish, submit, return: changes requested, or draft). In time order, so the chain of sign-offs runs forward in time too.
    # Each version is English unless its content names another language; a translation always goes live.
    (
        "allopurinol",
        "allopurinol",
        "Zyloprim",
        ["gout"],
        [(ALLOPURINOL_V1, 1180), (ALLOPURINOL_ES_V1, 1170)],
        "publish",
    ),  # now overdue
    (
        "methotrexate",
        "methotrexate",
        "Trexall, Otrexup",
        ["rheumatoid-arthritis", "psoriatic-arthritis"],
        [(METHOTREXATE_V1, 900), (METHOTREXATE_ES_V1, 800), (METHOTREXATE_V2, 240)],
        "publish",
    ),
    (
        "tocilizumab",
        "tocilizumab",
        "Actemra",
        ["rheumatoid-arthritis", "giant-cell-arteritis"],
        [(TOCILIZUMAB_V1, 150), (TOCILIZUMAB_V2, 9)],
        "submit",
    ),
    (
        "hydroxychloroquine",
        "hydroxychloroquine",
        "Plaquenil",
        ["lupus", "rheumatoid-arthritis"],
        [(HYDROXYCHLOROQUINE_V1, 20)],
        "return",
    ),
]
