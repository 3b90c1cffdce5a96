"""Content built to be slow (bench/corpora.py) is accepted within the limits and comes out whole: every
character the author typed reaches the page (as text when it is not valid Markdown), sanitised, scored and
diffed. `python -m bench.content` prints how long each takes; these tests assert only outcomes."""

import html
import re

import pytest
from django.urls import reverse

from bench.corpora import BODIES, DIFF_PAIRS, fill
from factsheets.content import limits
from factsheets.plain_language import readability
from factsheets.content.markdown import render_markdown, strip_markdown
from factsheets.models import FactSheetRevision, Section
from reviews import services
from factsheets.content.diff import word_diff
from tests.factories import make_draft

pytestmark = pytest.mark.django_db


def visible_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", rendered))


@pytest.mark.parametrize("name", sorted(BODIES))
def test_pathological_body_within_the_limits_is_accepted_and_rendered_safely(name, author):
    body = BODIES[name]
    assert len(body) <= limits.SECTION_BODY_MAX_LENGTH
    section = Section(revision=make_draft(author=author, sections=0), position=1, kind="other", heading=name, body=body)
    section.full_clean()
    section.save()
    assert section.body_html
    assert "<script" not in section.body_html and "javascript:" not in section.body_html.lower()


@pytest.mark.parametrize("pattern", ["![", "[", "![a](", "[a]("])
def test_unclosed_brackets_are_kept_as_text(pattern):
    source = fill(pattern)
    text = visible_text(render_markdown(source))
    for char in "[!(":
        assert text.count(char) == source.count(char)


def test_lists_nested_to_the_limit_keep_every_point():
    rendered = render_markdown(BODIES["nested lists at the limit"])
    points = re.findall(r"- point (\d+)", BODIES["nested lists at the limit"])
    assert all(f"point {number} " in visible_text(rendered) for number in points)


def test_a_long_unbroken_word_is_kept_and_scored():
    word = BODIES["long unbroken word"]
    assert word in visible_text(render_markdown(word))
    scores = readability.score_text(strip_markdown(word))
    assert scores.words == 1 and scores.flesch_kincaid is not None


@pytest.mark.parametrize("name", sorted(DIFF_PAIRS))
def test_word_diff_of_costly_pairs_still_accounts_for_every_character(name):
    old, new = DIFF_PAIRS[name]
    segments = word_diff(old, new)
    assert "".join(text for op, text in segments if op != "insert") == old
    assert "".join(text for op, text in segments if op != "delete") == new
    assert {op for op, _ in segments} <= {"equal", "insert", "delete"}


def test_word_diff_of_an_ordinary_edit_in_a_long_text_is_word_by_word():
    text = " ".join(f"Sentence {i} says to take the medicine with food." for i in range(400))
    edited = text.replace("Sentence 200 says to take", "Sentence 200 says never to take")
    segments = word_diff(text, edited)
    assert [text for op, text in segments if op == "insert"] == ["never "]
    assert not [text for op, text in segments if op == "delete"]


def test_a_draft_stored_past_the_limits_still_opens_for_its_author(client, author, committee):
    """An oversized body written without validation (an old import) can be opened and fixed, never submitted."""
    draft = make_draft(author=author, sections=0)
    section = Section(revision=draft, position=1, kind="other", heading="Imported", body="![" * 480_000)
    section.save()  # no full_clean, as a bulk writer might
    client.force_login(author)
    for url in (
        reverse("factsheets:preview", args=[draft.pk]),
        reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk]),
        reverse("reviews:submit", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 200, url
    with pytest.raises(services.InvalidInput, match="at most 20000 characters"):
        services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.DRAFT
