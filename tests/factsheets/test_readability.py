import pytest
import textstat

from factsheets.plain_language import readability
from factsheets.content.services import revision_start_draft
from tests.factories import SectionFactory, make_draft, make_published

PLAIN = (
    "This medicine calms the immune system. You inject it under the skin once a day. "
    "Most people feel better within a few weeks. Call your doctor if you get a fever or a cough "
    "that does not go away."
)
HARD = (
    "Concomitant administration of immunosuppressive biological therapeutics necessitates comprehensive "
    "evaluation of hematological parameters. Subcutaneous administration frequently precipitates "
    "localized erythematous reactions. Hepatotoxicity, although infrequent, warrants periodic "
    "laboratory monitoring."
)


@pytest.mark.parametrize("text", [PLAIN, HARD])
def test_scores_equal_textstat_values_rounded_to_one_decimal(text):
    scores = readability.score_text(text)
    assert scores.flesch_kincaid == round(textstat.flesch_kincaid_grade(text), 1)
    assert scores.smog == round(textstat.smog_index(text), 1)
    assert scores.words == textstat.lexicon_count(text)


def test_harder_text_scores_higher_grade():
    assert readability.score_text(HARD).flesch_kincaid > readability.score_text(PLAIN).flesch_kincaid + 5


def test_empty_text_has_no_grade():
    scores = readability.score_markdown("   \n\n ")
    assert scores.flesch_kincaid is None and scores.smog is None and scores.words == 0
    assert not scores.above(8)


def test_markdown_syntax_does_not_change_the_score():
    plain = "Take it with food. Call your doctor if you feel dizzy. Keep it in the fridge."
    marked_up = (
        "Take it with **food**.\n\n"
        "- Call your [doctor](https://example.org/doctor) if you feel *dizzy*.\n"
        "- Keep it in the `fridge`."
    )
    assert readability.score_markdown(marked_up) == readability.score_markdown(plain) == readability.score_text(plain)


def test_soft_line_breaks_do_not_split_sentences():
    assert readability.plain_text("One long sentence\nthat goes on\nover three lines.") == (
        "One long sentence that goes on over three lines."
    )


def test_each_bullet_counts_as_a_sentence():
    assert readability.plain_text("You may notice:\n\n- redness\n- itching\n") == "You may notice:. redness. itching."


def test_markup_in_source_is_scored_as_text_not_lost():
    assert readability.plain_text("Fish &amp; chips <b>today</b>.") == "Fish & chips <b>today</b>."


def test_revision_report_scores_each_section_and_the_whole(author):
    revision = make_draft(author=author, sections=0, summary="A short summary.", fast_facts=["Take it daily."])
    SectionFactory(revision=revision, position=0, heading="Easy", body=PLAIN)
    SectionFactory(revision=revision, position=1, heading="Hard", body=HARD)
    report = readability.revision_report(revision)

    assert [s.heading for s in report.sections] == ["Easy", "Hard"]
    assert report.sections[0].scores == readability.score_text(PLAIN)
    assert report.sections[1].scores == readability.score_text(HARD)
    whole = f"A short summary. Take it daily. {PLAIN} {HARD}"
    assert report.overall.flesch_kincaid == round(textstat.flesch_kincaid_grade(whole), 1)
    assert report.overall.smog == round(textstat.smog_index(whole), 1)
    assert report.grade == report.overall.flesch_kincaid


def test_fast_facts_count_for_the_whole_revision(author):
    revision = make_draft(author=author, sections=1, fast_facts=[])
    without = readability.revision_report(revision).overall
    revision.fast_facts = [HARD]
    with_facts = readability.revision_report(revision).overall
    assert with_facts.words > without.words
    assert with_facts.flesch_kincaid > without.flesch_kincaid


def test_scores_are_cached_by_content(monkeypatch):
    first = readability.score_text(PLAIN)
    calls = []
    monkeypatch.setattr(readability.textstat, "flesch_kincaid_grade", lambda t: calls.append(t) or 99.0)
    assert readability.score_text(PLAIN) == first
    assert calls == []
    assert readability.score_text(PLAIN + " Another sentence.").flesch_kincaid == 99.0
    assert len(calls) == 1


def test_compare_reports_before_after_and_change(author, reviewer1, reviewer2, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    SectionFactory(revision=draft, position=99, body=HARD)
    comparison = readability.compare(live, draft)
    assert comparison.before == readability.revision_report(live).overall
    assert comparison.after == readability.revision_report(draft).overall
    assert comparison.change == round(comparison.after.grade - comparison.before.grade, 1)
    assert comparison.harder and not comparison.easier


def test_compare_without_live_version_has_no_change(author):
    revision = make_draft(author=author)
    comparison = readability.compare(None, revision)
    assert comparison.before is None and comparison.change is None
