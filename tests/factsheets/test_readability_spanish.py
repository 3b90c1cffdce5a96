import pytest
import textstat

from factsheets.plain_language import readability, spanish
from factsheets.plain_language.aids import reading_panel
from tests.factories import SectionFactory, make_draft

# Our own sentences: a short, everyday text and a long, technical one.
FACIL = (
    "Este medicamento calma las defensas del cuerpo. Se pone bajo la piel una vez al día. "
    "Casi todos se sienten mejor en pocas semanas. Llame a su médico si tiene fiebre o tos."
)
DIFICIL = (
    "La administración concomitante de inmunosupresores biológicos requiere una evaluación exhaustiva "
    "de los parámetros hematológicos y de la función hepática antes de iniciar el tratamiento. "
    "La hepatotoxicidad, aunque infrecuente, justifica la monitorización analítica periódica durante "
    "toda la duración de la terapia inmunomoduladora."
)
# 8 words, 2 sentences, 15 syllables: to-ma la pas-ti-lla con a-gua. co-me al-go an-tes.
TINY = "Toma la pastilla con agua. Come algo antes."


def test_tiny_text_matches_the_formulas_computed_by_hand():
    scores = readability.score_text(TINY, "es")
    assert scores.words == 8
    # Fernández Huerta: 206.84 - 60 * 15/8 - 1.02 * 8/2 = 206.84 - 112.5 - 4.08 = 90.26
    assert scores.fernandez_huerta == 90.3
    # Szigriszt-Pazos: 206.84 - 62.3 * 15/8 - 8/2 = 206.84 - 116.8125 - 4 = 86.0275
    assert scores.szigriszt_pazos == 86.0
    assert scores.band == ("muy fácil", "educación primaria")


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("agua", 2),  # a-gua: a one-letter syllable
        ("día", 2),  # dí-a: accented weak vowel, hiatus
        ("oído", 3),  # o-í-do
        ("leer", 2),  # le-er: two strong vowels
        ("reumatoide", 4),  # reu-ma-toi-de: diphthongs
        ("ahora", 3),  # a-ho-ra: h between vowels
        ("prohibido", 4),
        ("hoy", 1),  # final y is a vowel in the diphthong
        ("ayuda", 3),  # y before a vowel is a consonant
        ("y", 1),
        ("guerra", 2),
        ("medicamento", 5),
        ("inflamación", 4),
        ("Día", 2),
    ],
)
def test_spanish_syllables(word, syllables):
    assert spanish.word_syllables(word) == syllables


def test_easy_text_scores_higher_ease_than_hard_text_on_both_formulas():
    easy, hard = readability.score_text(FACIL, "es"), readability.score_text(DIFICIL, "es")
    assert easy.fernandez_huerta > hard.fernandez_huerta + 20
    assert easy.szigriszt_pazos > hard.szigriszt_pazos + 20
    assert easy.ease == easy.szigriszt_pazos and easy.grade is None


@pytest.mark.parametrize(
    ("target", "minimum"), [(5, 65.0), (6, 65.0), (6.5, 55.0), (8, 55.0), (10, 55.0), (12, 40.0), (14, None)]
)
def test_grade_target_maps_to_a_minimum_ease(target, minimum):
    assert spanish.minimum_ease(target) == minimum


@pytest.mark.parametrize(
    ("ease", "band"),
    [
        (90, "muy fácil"),
        (80, "muy fácil"),
        (70, "bastante fácil"),
        (60, "normal"),
        (45, "algo difícil"),
        (10, "muy difícil"),
    ],
)
def test_inflesz_bands(ease, band):
    assert spanish.inflesz_band(ease)[0] == band


def test_committee_target_applies_as_a_minimum_ease():
    easy, hard = readability.score_text(FACIL, "es"), readability.score_text(DIFICIL, "es")
    assert easy.szigriszt_pazos >= 55 > hard.szigriszt_pazos
    assert not easy.above(8) and hard.above(8)
    assert hard.above(6) and not hard.above(16)


def test_empty_spanish_text_has_no_score():
    scores = readability.score_markdown("  \n ", "es")
    assert scores == readability.EMPTY_ES and scores.band is None
    assert not scores.above(8)
    assert scores.as_api() == {"fernandez_huerta": None, "szigriszt_pazos": None}


def test_english_is_the_default_and_unchanged_and_spanish_leaves_textstat_alone():
    text = "Take it with food. Call your doctor if you feel dizzy."
    before = readability.score_text(text)
    readability.score_text(FACIL, "es")
    assert readability.score_text(text, "en") == before
    assert before.flesch_kincaid == round(textstat.flesch_kincaid_grade(text), 1)
    assert textstat.textstat._textstatistics__lang == "en_US"  # the shared instance's language is untouched


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="not 'fr'"):
        readability.score_text("Bonjour.", "fr")


def test_english_and_spanish_scores_are_cached_apart():
    assert isinstance(readability.score_text(TINY), readability.Scores)
    assert isinstance(readability.score_text(TINY, "es"), readability.SpanishScores)
    assert isinstance(readability.score_text(TINY), readability.Scores)


def test_spanish_revision_report_panel_and_comparison(author):
    old = make_draft(author=author, sections=0, summary=DIFICIL, fast_facts=[])
    new = make_draft(author=author, sections=0, summary=FACIL, fast_facts=["Guárdelo en la nevera."])
    SectionFactory(revision=new, body="Tómelo con **agua**.\n\n- Por la mañana\n- Con comida")
    report = readability.revision_report(new, "es")
    assert isinstance(report.overall, readability.SpanishScores) and report.grade is None
    assert report.sections[0].scores.szigriszt_pazos is not None
    assert set(readability.reading_grade(new, "es")) == {"fernandez_huerta", "szigriszt_pazos"}
    panel = reading_panel(new, target=8, compare_with=old, language="es")
    assert not panel.above
    assert panel.comparison.easier and not panel.comparison.harder and panel.comparison.ease_change > 20
    assert panel.comparison.change is None
    assert reading_panel(old, target=8, language="es").above
