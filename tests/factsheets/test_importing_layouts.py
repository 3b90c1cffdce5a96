"""Fact sheets in other publishers' layouts (fixtures in tests/fixtures/import/, all in our own words):
each imports its title, names, sections, dates and committee right, or is refused with what to add."""

import datetime as dt
from pathlib import Path

import pytest

from factsheets.importing import ImportParseError, parse_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
CPI = "Committee on Patient Information"

# file -> (title, slug, generic, brands, conditions, [(kind, heading)], updated_on, credit, committee)
LAYOUTS = {
    "chrome-breadcrumb.txt": (
        "Zentoprib (Zentara)",
        "zentoprib",
        "Zentoprib",
        ["Zentara"],
        [],
        [("overview", "Overview"), ("how_it_works", "How it works"), ("side_effects", "Side effects")],
        dt.date(2021, 6, 1),
        "R. Okafor, MD",
        CPI,
    ),
    "label-value.txt": (
        "Quellimab",
        "quellimab",
        "quellimab",
        ["Quellex", "Quellara"],
        ["Rheumatoid arthritis", "Psoriatic arthritis"],
        [("overview", "Overview"), ("dosing", "Dosing"), ("storage", "Storage")],
        dt.date(2015, 4, 1),
        "",
        "",
    ),
    "label-before-title.txt": (
        "Demoxaban",
        "demoxaban",
        "Demoxaban",
        ["Demorel", "Demora"],
        [],
        [("overview", "Overview"), ("dosing", "How To Take It"), ("side_effects", "Possible Side Effects")],
        dt.date(2017, 11, 1),
        "M. Duarte, MD",
        CPI,
    ),
    "title-case-reviewed.txt": (
        "Halcyra (Halcy)",
        "halcyra",
        "Halcyra",
        ["Halcy"],
        [],
        [("overview", "Overview"), ("how_it_works", "How It Works"), ("interactions", "Drug Interactions")],
        dt.date(2021, 3, 12),
        "",
        CPI,
    ),
    "questions.txt": (
        "Fendorin (Fendora)",
        "fendorin",
        "Fendorin",
        ["Fendora"],
        [],
        [
            ("overview", "What is fendorin?"),
            ("dosing", "How do I take it?"),
            ("side_effects", "What about side effects?"),
            ("other", "How is fendorin given to children?"),
        ],
        dt.date(2022, 3, 1),
        "L. Brennan, PharmD",
        CPI,
    ),
    "one-paragraph-per-line.txt": (
        "Ombrelin",
        "ombrelin",
        "Ombrelin",
        [],
        [],
        [
            ("overview", "Overview"),
            ("how_it_works", "How it works"),
            ("time_to_effect", "Time to effect"),
            ("other", "Things to watch for"),
        ],
        dt.date(2020, 5, 1),
        "T. Ngata, MD",
        CPI,
    ),
    "header-date.txt": (
        "Corvanib (Corvana)",
        "corvanib",
        "Corvanib",
        ["Corvana"],
        [],
        [("overview", "Overview"), ("dosing", "Dosing")],
        dt.date(2022, 3, 1),
        "",
        CPI,
    ),
    "truncated.txt": (
        "Trivalax",
        "trivalax",
        "Trivalax",
        [],
        [],
        [("overview", "Overview"), ("side_effects", "Side effects")],
        dt.date(2019, 1, 1),
        "P. Silva, MD",
        CPI,
    ),
    "frontmatter-questions.md": (
        "Lumetrex (Lumex)",
        "lumetrex",
        "Lumetrex",
        ["Lumex"],
        ["Lupus"],
        [("overview", "Overview"), ("dosing", "How do I take it?"), ("side_effects", "What about side effects?")],
        dt.date(2024, 2, 1),
        "A. Moreau, MD",
        CPI,
    ),
    "site-a-main.html": (
        "Palvexa (Palvex)",
        "palvexa",
        "Palvexa",
        ["Palvex"],
        ["Osteoarthritis", "Back pain"],
        [("overview", "Overview"), ("dosing", "How do I take it?"), ("side_effects", "What about side effects?")],
        dt.date(2023, 8, 1),
        "K. Haddad, MD",
        CPI,
    ),
    "site-b-divs.html": (
        "Rostavir",
        "rostavir",
        "Rostavir",
        [],
        [],
        [("overview", "Overview"), ("how_it_works", "How it works"), ("pregnancy", "Pregnancy and breastfeeding")],
        dt.date(2018, 2, 1),
        "J. Lindqvist, MD",
        CPI,
    ),
    "site-c-article.html": (
        "Mirelast",
        "mirelast",
        "mirelast",
        ["Mirel", "Lastora"],
        [],
        [("overview", "Overview"), ("dosing", "Dosing"), ("storage", "Storage")],
        dt.date(2019, 5, 1),
        "",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_imports_every_field_right(name):
    title, slug, generic, brands, conditions, sections, updated, credit, committee = LAYOUTS[name]
    sheet = parse_file(FIXTURES / name)
    assert (sheet.title, sheet.slug, sheet.generic_name, sheet.brand_names) == (title, slug, generic, brands)
    assert sheet.conditions == conditions
    assert [(s.kind, s.heading) for s in sheet.sections] == sections
    assert (sheet.updated_on, sheet.credit_line, sheet.committee_name) == (updated, credit, committee)


def test_page_chrome_is_skipped_and_reported_never_content():
    sheet = parse_file(FIXTURES / "chrome-breadcrumb.txt")
    assert [w for w in sheet.warnings if "page chrome" in w] == [
        "line 1: skipped page chrome “• Treatments”",
        "line 2: skipped page chrome “• Medications”",
        "line 3: skipped page chrome “For the latest clinic opening hours Click Here.”",
    ]
    assert all("Click Here" not in s.body and "Treatments" not in s.body for s in sheet.sections)


def test_html_chrome_sidebar_cookie_banner_and_footer_are_not_content():
    sheet = parse_file(FIXTURES / "site-a-main.html")
    text = " ".join(s.body for s in sheet.sections)
    for chrome in ("cookies", "Related", "exercise", "All rights reserved", "Home", "©"):
        assert chrome not in text
    dosing = sheet.sections[1].body
    assert "Take **one** tablet" in dosing and "- Swallow it _whole_." in dosing  # emphasis and bullets kept
    assert [s.line for s in sheet.sections] == [11, 12, 15]  # lines of the page, for the report


def test_copyright_line_under_the_footer_is_never_part_of_the_committee():
    sheet = parse_file(FIXTURES / "questions.txt")
    assert sheet.committee_name == CPI
    assert all("©" not in s.body for s in sheet.sections)


def test_label_value_block_is_not_prose_and_drug_class_is_reported():
    sheet = parse_file(FIXTURES / "label-value.txt")
    assert all("Brand Name" not in s.body and "Quellex" not in s.body for s in sheet.sections)
    assert any("drug class “Invented biologic”" in w for w in sheet.warnings)


def test_truncated_paragraph_is_warned_with_its_line():
    sheet = parse_file(FIXTURES / "truncated.txt")
    assert any(w.startswith("line 7: the paragraph ends without punctuation") and "blee" in w for w in sheet.warnings)
    assert not any("ends without punctuation" in w for w in parse_file(FIXTURES / "questions.txt").warnings)


def test_unsure_title_is_refused_with_what_to_add():
    with pytest.raises(ImportParseError) as exc:
        parse_file(FIXTURES / "unsure-title.txt")
    assert exc.value.line == 2
    assert "--title" in exc.value.message and "front-matter" in exc.value.message


def test_title_option_settles_an_unsure_title():
    sheet = parse_file(FIXTURES / "unsure-title.txt", title="Joint Care Today", slug="joint-care")
    assert (sheet.title, sheet.slug) == ("Joint Care Today", "joint-care")
    assert [s.kind for s in sheet.sections] == ["overview", "side_effects"]


def test_html_without_h1_is_refused_unless_titled(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><main><p>Some text about nothing in particular.</p></main></body></html>")
    with pytest.raises(ImportParseError, match="no <h1>.*--title"):
        parse_file(page)
    assert parse_file(page, title="Nothingumab").title == "Nothingumab"


def test_front_matter_is_yaml_and_a_bad_line_is_named():
    from factsheets.importing import parse_markdown

    with pytest.raises(ImportParseError) as exc:
        parse_markdown('---\ntitle: "Yamlumab"\nsummary: [unclosed\n---\n\ntext\n')
    assert exc.value.line == 3 and "not valid YAML" in exc.value.message
    with pytest.raises(ImportParseError, match="given twice") as exc:
        parse_markdown("---\ntitle: A\ntitle: B\n---\n\ntext\n")
    assert exc.value.line == 3
    sheet = parse_markdown("---\ntitle: Yamlumab\nbrand_names: Yam, Lum\nupdated_on: 2020-01-31\n---\n\nText.\n")
    assert (sheet.brand_names, sheet.updated_on.isoformat()) == (["Yam", "Lum"], "2020-01-31")


def test_date_and_credit_lines_under_the_last_paragraph_are_not_its_text():
    sheet = parse_file(FIXTURES / "title-case-reviewed.txt")
    assert sheet.sections[-1].body == "Halcyra is not known to interact with other medicines."


def test_html_table_is_reported_not_silently_dropped(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><main><h1>Tabulex</h1><p>Tabulex is a pretend tablet for this test only.</p>"
        "<table><tr><td>Week 1</td><td>one tablet</td></tr></table></main></body></html>"
    )
    sheet = parse_file(page)
    assert any(w.startswith("a table (“Week 1one tablet") for w in sheet.warnings)


def test_wrapped_sentences_mentioning_review_or_update_stay_text():
    from factsheets.importing import parse_text

    sheet = parse_text(
        "Wrapumab\n\nYour blood counts are checked and the results\nreviewed by your doctor every month. The leaflet was\n"
        "last updated March 2020.\n"
    )
    assert sheet.sections[0].body == (
        "Your blood counts are checked and the results reviewed by your doctor every month. "
        "The leaflet was last updated March 2020."
    )
    assert (sheet.committee_name, sheet.updated_on) == ("", None)
