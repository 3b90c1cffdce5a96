"""Parsing existing fact sheets (no database). Fixtures in tests/fixtures/import/ are written in our own words."""

import datetime as dt
from pathlib import Path

import pytest

from factsheets.importing import (
    HEADING_KINDS,
    MAX_FILE_BYTES,
    ImportParseError,
    heading_kind,
    parse_bytes,
    parse_file,
    parse_front_matter,
    parse_markdown,
    parse_text,
    to_markdown,
)
from factsheets.models import SectionKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def examplumab():
    return parse_file(FIXTURES / "examplumab.txt")


def kinds(sheet):
    return [s.kind for s in sheet.sections]


# Title, tagline, fast facts -------------------------------------------------------------------------


def test_title_line_gives_generic_name_brand_names_and_slug(examplumab):
    assert examplumab.title == "Examplumab (Examplex, Samplora)"
    assert examplumab.generic_name == "Examplumab"
    assert examplumab.brand_names == ["Examplex", "Samplora"]
    assert examplumab.slug == "examplumab"


def test_title_without_brackets_has_no_brand_names():
    sheet = parse_file(FIXTURES / "plainumab.txt")
    assert (sheet.title, sheet.generic_name, sheet.brand_names) == ("Plainumab", "Plainumab", [])


def test_short_line_after_title_is_a_tagline_and_not_content(examplumab):
    assert examplumab.tagline == "tablets and injections"
    assert all(
        "tablets and injections" not in s.body and s.heading != "tablets and injections" for s in examplumab.sections
    )
    assert any("tagline" in w for w in examplumab.warnings)


def test_fast_facts_take_every_bullet_style_and_join_wrapped_lines(examplumab):
    assert examplumab.fast_facts == [
        "Examplumab is a made-up medicine used only to test this system.",
        "It calms an overactive immune system and can lower the body's defence against germs, so report any fever.",
        "Never start a live vaccine without asking your care team first.",
    ]


# Sections -------------------------------------------------------------------------------------------


def test_paragraphs_before_the_first_heading_become_the_overview(examplumab):
    overview = examplumab.sections[0]
    assert (overview.kind, overview.heading) == (SectionKind.OVERVIEW, "Overview")
    assert overview.body.startswith("Examplumab (Examplex, Samplora) is an invented medicine")
    assert overview.body.endswith("It may be tried when older medicines did not help enough.")
    assert overview.line == 12


def test_known_headings_match_in_any_case_and_keep_their_text(examplumab):
    assert kinds(examplumab) == [
        SectionKind.OVERVIEW,
        SectionKind.HOW_IT_WORKS,
        SectionKind.DOSING,
        SectionKind.TIME_TO_EFFECT,
        SectionKind.SIDE_EFFECTS,
        SectionKind.INTERACTIONS,
        SectionKind.PREGNANCY,
        SectionKind.VACCINES,
        SectionKind.OTHER,
        SectionKind.DISCUSS,
    ]
    headings = {s.kind: s.heading for s in examplumab.sections}
    assert headings[SectionKind.HOW_IT_WORKS] == "HOW IT WORKS"
    assert headings[SectionKind.TIME_TO_EFFECT] == "Time to Effect"  # trailing colon dropped


def test_two_blank_lines_before_a_dosing_paragraph_start_a_dosing_section(examplumab):
    how, dosing = examplumab.sections[1], examplumab.sections[2]
    assert "Examplumab blocks one of them" in how.body and "dose" not in how.body
    assert (dosing.kind, dosing.heading) == (SectionKind.DOSING, "Dosing")
    assert dosing.body.startswith("The usual dose is one tablet a week")
    assert "room temperature" in dosing.body  # the next paragraph (one blank line) stays with it


def test_two_blank_lines_without_a_new_topic_keep_the_paragraph_in_its_section(examplumab):
    assert examplumab.sections[0].kind == SectionKind.OVERVIEW
    assert "\n\nIt may be tried" in examplumab.sections[0].body


def test_unknown_short_heading_line_starts_an_other_section(examplumab):
    other = next(s for s in examplumab.sections if s.kind == SectionKind.OTHER)
    assert other.heading == "Travel tips"
    assert other.body == "Carry a letter from your clinic when you fly with your medicine."


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("How it works", SectionKind.HOW_IT_WORKS),
        ("how IT works:", SectionKind.HOW_IT_WORKS),
        ("Dose", SectionKind.DOSING),
        ("Dosing", SectionKind.DOSING),
        ("Time to effect", SectionKind.TIME_TO_EFFECT),
        ("Side Effects", SectionKind.SIDE_EFFECTS),
        ("Drug interactions", SectionKind.INTERACTIONS),
        ("Information to discuss with healthcare providers", SectionKind.DISCUSS),
        ("Precautions", SectionKind.PRECAUTIONS),
        ("Pregnancy and breastfeeding", SectionKind.PREGNANCY),
        ("Vaccines", SectionKind.VACCINES),
        ("Storage and handling", SectionKind.STORAGE),
        ("Travel tips", None),
    ],
)
def test_heading_table_maps_headings_to_kinds(heading, kind):
    assert heading_kind(heading) == kind


def test_heading_table_covers_every_kind_but_other():
    assert {kind for _, kind in HEADING_KINDS} == set(SectionKind.values) - {SectionKind.OTHER}


def test_plain_text_special_characters_are_escaped_so_markdown_shows_them_as_written():
    sheet = parse_text("Testumab\n\nTake *one* tablet, not <two>.\n\n1. is not a list here\n")
    assert sheet.sections[0].body == "Take \\*one\\* tablet, not \\<two>.\n\n\\1. is not a list here"


def test_bullets_inside_a_section_become_a_markdown_list():
    sheet = parse_text("Testumab\n\nSide effects\n\nYou may notice:\n• a headache\n• tiredness\n")
    assert sheet.sections[0].body == "You may notice:\n\n- a headache\n- tiredness"


# Footer, disclaimer, summary ------------------------------------------------------------------------


def test_footer_gives_updated_date_credit_line_and_committee(examplumab):
    assert examplumab.updated_on == dt.date(2021, 6, 1)
    assert examplumab.credit_line == "A. Writer, MD, and B. Checker, PharmD"
    assert examplumab.committee_name == "Example Society Committee on Patient Education"
    assert examplumab.footer_line == 54


def test_disclaimer_and_copyright_are_not_content(examplumab):
    text = " ".join(s.body for s in examplumab.sections)
    assert "general education only" not in text
    assert "©" not in text and "Example Society" not in text
    assert examplumab.sections[-1].body == "Tell your doctor if you feel unwell or have a fever."


def test_summary_is_the_first_two_sentences_of_the_overview(examplumab):
    assert examplumab.summary == (
        "Examplumab (Examplex, Samplora) is an invented medicine for joint swelling. It is taken once a week."
    )


def test_summary_of_one_very_long_sentence_is_cut_within_the_limit():
    sentence = "Testumab " + "helps a lot " * 200 + "indeed."
    sheet = parse_text(f"Testumab\n\n{sentence}\n")
    assert len(sheet.summary) <= 1000
    assert sheet.summary.endswith("…")


def test_missing_footer_is_a_warning_not_an_error():
    sheet = parse_file(FIXTURES / "plainumab.txt")
    assert sheet.updated_on is None and sheet.credit_line == ""
    assert any("Updated" in w for w in sheet.warnings)


# Markdown with front matter -------------------------------------------------------------------------


def test_markdown_front_matter_sets_slug_names_conditions_and_dates():
    sheet = parse_file(FIXTURES / "samplora.md")
    assert sheet.slug == "samplora-tablets"
    assert sheet.title == "Samplora tablets (Samplora)"
    assert sheet.generic_name == "samplorin"
    assert sheet.brand_names == ["Samplora", "Placebex"]
    assert sheet.conditions == ["Example arthritis", "Made-up gout"]
    assert sheet.credit_line == "C. Author, MD"
    assert sheet.updated_on == dt.date(2019, 11, 1)
    assert sheet.committee_name == "Committee on Patient Education"


def test_markdown_sections_use_explicit_kind_then_heading_table_then_other():
    sheet = parse_file(FIXTURES / "samplora.md")
    assert [(s.kind, s.heading) for s in sheet.sections] == [
        (SectionKind.OVERVIEW, "Overview"),
        (SectionKind.HOW_IT_WORKS, "How it works"),
        (SectionKind.DISCUSS, "When to call us"),
        (SectionKind.OTHER, "Packing list"),
    ]
    assert sheet.sections[2].body == "Call the clinic if you have a fever.\n\n- fever over 38 °C\n- a new rash"
    assert sheet.fast_facts == ["Samplorin is an invented tablet.", "It is taken **twice** a day."]


def test_markdown_unknown_front_matter_key_is_refused_with_its_line():
    with pytest.raises(ImportParseError) as exc:
        parse_file(FIXTURES / "bad-front-matter.md")
    assert exc.value.line == 4
    assert "colour" in exc.value.message


def test_front_matter_quoted_values_are_json_strings():
    data = parse_front_matter(['title: "A: \\"quoted\\" title"', "brand_names: [One, 'Two, Three']"])
    assert data["title"][0] == 'A: "quoted" title'
    assert data["brand_names"] == ["One", "Two, Three"]


def test_markdown_without_closing_front_matter_is_refused():
    with pytest.raises(ImportParseError, match="no closing"):
        parse_markdown("---\ntitle: x\n\n## How it works\n\ntext\n")


def test_written_markdown_reads_back_unchanged():
    args = dict(
        slug="roundumab",
        title="Roundumab (Circlex)",
        generic_name="roundumab",
        brand_names=["Circlex"],
        conditions=["Example arthritis"],
        summary='A test: "quotes", colons and # signs.',
        fast_facts=["One fact.", "Another fact."],
        sections=[("overview", "Overview", "First.\n\nSecond."), ("other", "How it works", "Kind kept as written.")],
        credit_line="E. Author, MD",
        updated_on=dt.date(2020, 5, 1),
        committee="Committee on Patient Education",
    )
    sheet = parse_markdown(to_markdown(**args))
    assert sheet.canonical_content() == {
        "title": args["title"],
        "summary": args["summary"],
        "fast_facts": args["fast_facts"],
        "sections": [{"kind": k, "heading": h, "body": b} for k, h, b in args["sections"]],
        "credit_line": args["credit_line"],
        "generic_name": args["generic_name"],
        "brand_names": args["brand_names"],
        "conditions": args["conditions"],
    }
    assert (sheet.slug, sheet.updated_on, sheet.committee_name) == ("roundumab", dt.date(2020, 5, 1), args["committee"])


# Malformed files ------------------------------------------------------------------------------------


def test_empty_file_is_refused():
    with pytest.raises(ImportParseError, match="empty"):
        parse_file(FIXTURES / "empty.txt")


def test_file_without_title_is_refused_with_the_line():
    with pytest.raises(ImportParseError, match="no title") as exc:
        parse_file(FIXTURES / "no-title.txt")
    assert exc.value.line == 1


def test_binary_data_is_refused(tmp_path):
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ImportParseError, match="binary data"):
        parse_file(path)


def test_control_characters_are_refused_as_binary():
    with pytest.raises(ImportParseError, match="binary data") as exc:
        parse_bytes(b"Testumab\n\nText\x07 with a bell.\n", name="x.txt")
    assert exc.value.line == 3


def test_ten_megabyte_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.write(b"Hugeumab\n\n" + b"All work and no play. " * (10 * 1024 * 1024 // 22))
    assert path.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(ImportParseError, match=r"10\.0 MB"):
        parse_file(path)


def test_file_not_in_utf8_is_refused_with_line_and_hint(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Legacyumab\n\nIt’s an old file.\n".encode("cp1252"))
    with pytest.raises(ImportParseError, match="--encoding") as exc:
        parse_file(path)
    assert exc.value.line == 3


def test_named_encoding_reads_a_legacy_file(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Legacyumab\n\nIt’s an old file.\n".encode("cp1252"))
    assert parse_file(path, encoding="cp1252").sections[0].body == "It’s an old file."


def test_utf8_byte_order_mark_and_windows_line_breaks_are_accepted():
    sheet = parse_bytes("\ufeffBomumab (Bomex)\r\n\r\nA paragraph.\r\n".encode("utf-8"), name="bom.txt")
    assert (sheet.title, sheet.sections[0].body) == ("Bomumab (Bomex)", "A paragraph.")


def test_unknown_encoding_name_is_refused():
    with pytest.raises(ImportParseError, match="unknown encoding"):
        parse_bytes(b"Testumab\n\ntext\n", name="x.txt", encoding="klingon-8")


def test_title_only_file_has_no_content():
    with pytest.raises(ImportParseError, match="no content"):
        parse_text("Lonelyumab\n")
