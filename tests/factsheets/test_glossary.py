import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from factsheets.plain_language.glossary import Entry, Glossary, highlight_revision, load_glossary
from factsheets.content.markdown import render_markdown
from factsheets.models import GlossaryTerm
from tests.factories import SectionFactory, make_draft

GLOSSARY = Glossary(
    [
        Entry("subcutaneous", "under the skin"),
        Entry("hepatic", "liver"),
        Entry("renal", "kidney"),
        Entry("adverse event", "side effect", "Or “unwanted effect”."),
        Entry("injection", "shot"),
        Entry("rash", "red spots"),
        Entry("therapy", "treatment"),
        Entry("adverse", "harmful"),
    ]
)


def found(text):
    return [(text[start:end], entry.term) for start, end, entry in GLOSSARY.find(text)]


def test_matches_whole_words_case_insensitively():
    assert found("Subcutaneous use. HEPATIC tests, renal.") == [
        ("Subcutaneous", "subcutaneous"),
        ("HEPATIC", "hepatic"),
        ("renal", "renal"),
    ]


def test_never_matches_inside_other_words():
    assert found("adrenal glands, hepatically, subcutaneously, prerash, therapyish") == []


@pytest.mark.parametrize(
    "text, term",
    [("injections", "injection"), ("rashes", "rash"), ("therapies", "therapy"), ("Adverse Events", "adverse event")],
)
def test_matches_simple_plurals(text, term):
    assert found(f"Some {text} here.") == [(text, term)]


def test_multi_word_terms_match_across_whitespace_and_win_over_shorter_terms():
    assert found("An adverse\n  event and an adverse reaction.") == [
        ("adverse\n  event", "adverse event"),
        ("adverse", "adverse"),
    ]


def test_hits_are_counted_per_term():
    hits = GLOSSARY.hits("Renal and renal.", "Hepatic.")
    assert [(h.term, h.count) for h in hits] == [("hepatic", 1), ("renal", 2)]


def test_highlight_marks_text_with_plain_alternative_visible():
    html, hits = GLOSSARY.highlight_html("<p>Given by subcutaneous injection.</p>")
    assert isinstance(html, SafeString)
    assert '<mark class="jargon" title="Plain: under the skin">subcutaneous' in html
    assert '<span class="jargon-plain"> (plain: under the skin)</span></mark>' in html
    assert [h.term for h in hits] == ["injection", "subcutaneous"]


def test_highlight_never_touches_tags_or_attributes():
    source = '<p><a href="https://example.org/renal" title="renal &gt; hepatic">renal</a> <code>hepatic</code></p>'
    html, hits = GLOSSARY.highlight_html(source)
    assert '<a href="https://example.org/renal" title="renal &gt; hepatic">' in html
    assert "<code>hepatic</code>" in html
    assert html.count("<mark") == 1 and [h.term for h in hits] == ["renal"]


def test_highlight_keeps_attribute_values_containing_angle_brackets_intact():
    source = '<p><a href="https://example.org/" title="a > renal">go</a> renal</p>'
    html, _ = GLOSSARY.highlight_html(source)
    assert html.startswith('<p><a href="https://example.org/" title="a > renal">go</a> <mark')


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in {"br", "hr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def test_highlight_output_stays_balanced_and_adds_only_mark_and_span():
    source = render_markdown(
        "A **renal** check.\n\n- hepatic\n- [subcutaneous](https://example.org)\n\n| a | b |\n|---|---|\n| rash | x |"
    )
    html, _ = GLOSSARY.highlight_html(source)
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    assert set(checker.tags) - set(re.findall(r"<(\w+)", source)) == {"mark", "span"}
    assert re.sub(r"<mark[^>]*>|<span[^>]*>[^<]*</span>|</mark>", "", html) == source


def test_highlight_escapes_text_and_glossary_entries():
    glossary = Glossary([Entry("renal", '"><script>alert(1)</script>', "<img src=x onerror=alert(2)>")])
    html, _ = glossary.highlight_html("<p>renal &lt;script&gt;bad&lt;/script&gt; &amp; more</p>")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;bad&lt;/script&gt; &amp; more" in html
    assert 'title="Plain: &quot;&gt;&lt;script&gt;' in html


def test_highlight_text_escapes_plain_text():
    html, hits = GLOSSARY.highlight_text("<b>renal</b> & rash")
    assert html.startswith("&lt;b&gt;<mark") and "&amp; <mark" in html
    assert len(hits) == 2


def test_highlight_does_not_break_entities():
    glossary = Glossary([Entry("amp", "amplifier"), Entry("lt", "less")])
    html, hits = glossary.highlight_html("<p>fish &amp; chips &lt; 3</p>")
    assert html == "<p>fish &amp; chips &lt; 3</p>" and hits == []


def test_empty_glossary_changes_nothing():
    html, hits = Glossary([]).highlight_html("<p>renal</p>")
    assert html == "<p>renal</p>" and hits == []


def test_shipped_glossary_has_at_least_50_entries_with_the_agreed_examples(db):
    terms = {t.term: t.plain for t in GlossaryTerm.objects.all()}
    assert len(terms) >= 50
    assert terms["subcutaneous"] == "under the skin"
    assert terms["hepatic"] == "liver"
    assert terms["adverse event"] == "side effect"
    assert terms["renal"] == "kidney"
    assert terms["intravenous"] == "into a vein"


def test_terms_are_unique_without_case(db):
    term = GlossaryTerm(term="Subcutaneous", plain="beneath the skin")
    with pytest.raises(ValidationError):
        term.full_clean()


def test_highlight_revision_marks_summary_facts_and_sections(author):
    revision = make_draft(
        author=author, sections=0, summary="Protects the renal system.", fast_facts=["Given as a subcutaneous shot."]
    )
    section = SectionFactory(revision=revision, body="Tell us about any **adverse events**.")
    with_marks = highlight_revision(revision, load_glossary())
    assert "<mark" in with_marks["summary"] and "<mark" in with_marks["fast_facts"][0]
    assert "<mark" in with_marks["sections"][section.pk]
    assert [(h.term, h.count) for h in with_marks["hits"]] == [("adverse event", 1), ("renal", 1), ("subcutaneous", 1)]
