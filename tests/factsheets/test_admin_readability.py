from factsheets.authoring.readability import revision_scores_html, section_grade_html
from factsheets.models import Section
from tests.factories import SectionFactory, make_draft

HARD = (
    "Concomitant administration of immunosuppressive biological therapeutics necessitates comprehensive "
    "evaluation of hematological parameters."
)


def test_section_grade_is_labelled_above_the_target(author):
    revision = make_draft(author=author, sections=0)
    easy = SectionFactory(revision=revision, body="Take it with food. It helps.")
    hard = SectionFactory(revision=revision, body=HARD)
    assert "within target" in section_grade_html(easy) and "reading-label-ok" in section_grade_html(easy)
    assert "above target 8" in section_grade_html(hard) and "reading-label-above" in section_grade_html(hard)


def test_unsaved_objects_say_scores_come_after_saving():
    assert section_grade_html(Section(body="Text.")) == "Shown after saving."
    assert revision_scores_html(None) == "Shown after saving."


def test_revision_scores_render_the_include(author):
    html = revision_scores_html(make_draft(author=author))
    assert "Whole version: <strong>grade" in html and "Reading grade by section" in html


def test_revision_editor_shows_scores_per_section_with_label_above_target(client, author):
    from django.urls import reverse

    revision = make_draft(author=author, sections=1)
    SectionFactory(revision=revision, position=50, heading="Hard words", body=HARD)
    client.force_login(author)
    html = client.get(reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])).content.decode()
    assert "Reading grade by section" in html
    assert "above target 8" in html and "within target" in html
    assert "css/plain-language.css" in html


def test_scores_in_the_editor_cost_one_query_however_many_sections(author, django_assert_num_queries):
    revision = make_draft(author=author, sections=4)
    revision = type(revision).objects.get(pk=revision.pk)
    with django_assert_num_queries(1):  # the sections, once
        revision_scores_html(revision)
    sections = list(revision.sections.all())
    with django_assert_num_queries(0):
        for section in sections:
            section_grade_html(section)


def test_editor_scores_spanish_sections_by_reading_ease(client, author, reviewer1, reviewer2, committee):
    from django.urls import reverse

    from tests.factories import make_published, make_translation

    english = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = make_translation(author=author, english=english)
    SectionFactory(
        revision=draft,
        position=50,
        heading="Palabras difíciles",
        body="La administración concomitante de inmunosupresores biológicos requiere una evaluación exhaustiva "
        "y sistemática de numerosísimos parámetros hematológicos.",
    )
    client.force_login(author)
    html = client.get(reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])).content.decode()
    inline = html.split("Palabras difíciles")[1]
    assert "Ease " in inline and "below the ease of 55 that grade 8 asks" in inline and "Fernández Huerta" in inline
    assert "within target" in html  # the plain sections of SPANISH_TEXT
    assert "SMOG" not in html  # no English formula anywhere on a Spanish version's page
