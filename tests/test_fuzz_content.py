"""Random Markdown up to the content limits, through every page an author and a reviewer use: saving in
the admin, the preview, submission and the review page. Whatever the text, each answers with a page
(saved, or a form error saying which limit) and never a server error: the test client re-raises one."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factsheets.content import limits
from reviews.models import Review
from tests.factories import make_draft
from tests.factsheets.test_admin import change_url, revision_post

# Pieces that mean something to Markdown, the sanitiser, the glossary or the word diff, and plain words.
FRAGMENTS = [
    "![",
    "[",
    "]",
    "(",
    ")",
    "](",
    "*",
    "**",
    "_",
    "`",
    "```",
    "<",
    ">",
    "&#",
    "&amp;",
    "\\",
    "~",
    "|",
    "#",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "    ",
    "|-|",
    "<script>",
    "javascript:",
    "http://example.org/",
    "<http://x.org>",
    "subcutaneous ",
    "adverse event ",
    "once a week ",
    "word ",
    "a",
    "\u2028",
    "é",
    "\u200b",
    "\t",
]

piece = st.one_of(
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(min_value=1, max_value=4000)).map(lambda p: p[0] * p[1]),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=300),
)
bodies = st.lists(piece, min_size=1, max_size=8).map(lambda parts: "".join(parts)[: limits.SECTION_BODY_MAX_LENGTH])


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=bodies, copies=st.integers(min_value=1, max_value=6))
def test_random_markdown_never_gives_a_server_error(client, author, reviewer1, committee, body, copies):
    draft = make_draft(author=author, sections=0)
    client.force_login(author)
    sections = [{"position": str(i), "kind": "other", "heading": f"Part {i}", "body": body} for i in range(copies)]
    saved = client.post(change_url(draft), revision_post(draft, sections))
    assert saved.status_code in (200, 302)
    if saved.status_code == 200:  # refused: the form says why
        assert saved.context["errors"] or saved.context["inline_admin_formsets"][0].formset.non_form_errors()

    assert client.get(reverse("factsheets:preview", args=[draft.pk])).status_code == 200
    assert client.get(reverse("reviews:submit", args=[draft.pk])).status_code == 200
    submitted = client.post(
        reverse("reviews:submit", args=[draft.pk]), {"committee": committee.pk, "reading_justification": "Fuzz text."}
    )
    assert submitted.status_code == 302
    review = Review.objects.filter(revision=draft).first()
    if review is not None:
        client.force_login(reviewer1)
        assert client.get(reverse("reviews:review", args=[review.pk])).status_code == 200
