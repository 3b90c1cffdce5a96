from django.template.loader import render_to_string

from factsheets.plain_language import readability
from factsheets.plain_language.aids import plain_language_context, reading_panel
from factsheets.content.services import revision_start_draft
from tests.factories import SectionFactory, make_draft, make_published

HARD = (
    "Concomitant administration of immunosuppressive biological therapeutics necessitates comprehensive "
    "evaluation of hematological parameters. Subcutaneous administration frequently precipitates "
    "localized erythematous reactions."
)


def test_panel_flags_sections_above_the_target(author):
    revision = make_draft(author=author, sections=1)
    SectionFactory(revision=revision, position=5, heading="Hard words", body=HARD)
    panel = reading_panel(revision, target=8)
    assert [(row.heading, row.above) for row in panel.sections] == [("How it works", False), ("Hard words", True)]
    assert panel.target == 8.0


def test_panel_uses_the_setting_when_no_target_is_given(author, settings):
    settings.FACTSHEETS_READING_GRADE_TARGET = 2
    revision = make_draft(author=author, sections=1)
    panel = reading_panel(revision)
    assert panel.target == 2.0 and panel.above


def test_scores_include_shows_grades_labels_and_change(author, reviewer1, reviewer2, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    SectionFactory(revision=draft, position=9, heading="Hard words", body=HARD)
    panel = reading_panel(draft, target=8, compare_with=live, justification="Needed <b>terms</b>.")
    html = render_to_string("factsheets/_reading_scores.html", {"reading": panel})

    before = readability.revision_report(live).overall.flesch_kincaid
    after = readability.revision_report(draft).overall.flesch_kincaid
    assert f"grade {before} → {after}" in html
    assert "Above 8.0" in html
    assert "Needed &lt;b&gt;terms&lt;/b&gt;." in html


def test_legend_lists_terms_with_plain_alternatives_escaped(author):
    revision = make_draft(author=author, sections=0, summary="Watch your renal function.")
    SectionFactory(revision=revision, body="Renal tests and a subcutaneous shot.")
    context = plain_language_context(revision)
    html = render_to_string("factsheets/_jargon_legend.html", context)
    assert 'renal <span class="jargon-count">(2×)</span>' in html
    assert "Plain: kidney" in html and "Plain: under the skin" in html
    assert "<mark" in context["highlighted_sections"][0].highlighted_html


def test_context_helper_query_count_does_not_grow_with_sections(author, django_assert_max_num_queries):
    revision = make_draft(author=author, sections=4)
    with django_assert_max_num_queries(2):  # glossary + sections
        plain_language_context(revision)


def test_preview_shows_scores_change_and_jargon_hints(client, author, reviewer1, reviewer2, committee):
    from django.urls import reverse

    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    SectionFactory(revision=draft, position=9, heading="Hard words", body=HARD + " Watch your **renal** function.")
    client.force_login(author)
    html = client.get(reverse("factsheets:preview", args=[draft.pk])).content.decode()
    before = readability.revision_report(live).overall.flesch_kincaid
    after = readability.revision_report(draft).overall.flesch_kincaid
    assert f"grade {before} → {after}" in html
    assert (
        '<strong><mark class="jargon" title="Plain: kidney">renal<span class="jargon-plain"> (plain: kidney)</span></mark></strong>'
        in html
    )
    assert "Plain: under the skin" in html  # "Subcutaneous" in the legend
    assert "css/plain-language.css" in html


def test_preview_without_hints_is_the_plain_page(client, author):
    from django.urls import reverse

    draft = make_draft(author=author, sections=0)
    SectionFactory(revision=draft, body="Watch your renal function.")
    client.force_login(author)
    html = client.get(reverse("factsheets:preview", args=[draft.pk]) + "?hints=off").content.decode()
    assert "<mark" not in html and "Reading grade by section" not in html
    assert "<p>Watch your renal function.</p>" in html


def test_public_page_has_no_hints(client, author, reviewer1, reviewer2, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, summary="Renal care.")
    html = client.get(live.fact_sheet.get_absolute_url()).content.decode()
    assert "<mark" not in html and "jargon" not in html and "Reading grade" not in html


def test_preview_of_a_spanish_draft_checks_spanish_jargon_and_spanish_ease(
    client, author, reviewer1, reviewer2, committee
):
    from django.urls import reverse

    from tests.factories import make_translation

    english = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = make_translation(author=author, english=english)
    SectionFactory(
        revision=draft, position=9, heading="Avisos", body="Puede causar **cefalea**. Vigile su función renal."
    )
    client.force_login(author)
    html = client.get(reverse("factsheets:preview", args=[draft.pk])).content.decode()
    assert 'title="Plain: dolor de cabeza"' in html
    assert "Plain: kidney" not in html  # the English glossary is not checked against Spanish text
    assert "Szigriszt-Pazos" in html and "Flesch-Kincaid" not in html
