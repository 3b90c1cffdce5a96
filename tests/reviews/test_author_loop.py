"""After "changes requested" the author gets back to work in few steps: links from every screen, the
reviewers' comments in the editor, and "Save and submit" straight to the submit page."""

import pytest
from django.urls import reverse

from factsheets.content.services import revision_start_draft
from reviews import services
from tests.factories import PASSWORD, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(author, reviewer1, reviewer2, reviewer3, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test text.")
    services.review_sign(
        review=review,
        by=reviewer3,
        verdict="request_changes",
        password=PASSWORD,
        comment="Two things to fix.",
        field_comments={"summary": "Name the condition it treats."},
    )
    draft.refresh_from_db()
    return draft


def edit_url(revision):
    return reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])


def test_editor_lists_the_field_comments_for_the_author(client, author, returned):
    client.force_login(author)
    html = client.get(edit_url(returned)).content.decode()
    assert 'data-field="summary"' in html and "Name the condition it treats." in html
    assert "Save and submit for review" in html


def test_save_and_submit_goes_to_the_submit_page(client, author, returned):
    client.force_login(author)
    form = client.get(edit_url(returned)).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["fast_facts"] = "\n".join(returned.fast_facts)
    data["conditions"] = []
    data["summary"] = "Used for rheumatoid arthritis. It calms the immune system."
    sections = returned.ordered_sections()
    data.update(
        {
            "sections-TOTAL_FORMS": len(sections),
            "sections-INITIAL_FORMS": len(sections),
            "sections-MIN_NUM_FORMS": 0,
            "sections-MAX_NUM_FORMS": 1000,
            "_save_and_submit": "1",
        }
    )
    for i, s in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": s.pk,
                f"sections-{i}-revision": returned.pk,
                f"sections-{i}-position": s.position,
                f"sections-{i}-kind": s.kind,
                f"sections-{i}-heading": s.heading,
                f"sections-{i}-body": s.body,
            }
        )
    response = client.post(edit_url(returned), {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert response["Location"] == reverse("reviews:submit", args=[returned.pk])
    returned.refresh_from_db()
    assert returned.summary.startswith("Used for rheumatoid arthritis")


def test_versions_page_quotes_the_comment_and_links_to_the_editor(client, author, returned):
    client.force_login(author)
    html = client.get(reverse("reviews:sheet_versions", args=[returned.fact_sheet_id])).content.decode()
    assert "Two things to fix." in html and f'href="{edit_url(returned)}">Edit draft' in html


def test_sheet_page_labels_the_draft_edit_and_the_live_version_view(client, author, returned):
    client.force_login(author)
    html = client.get(reverse("admin:factsheets_factsheet_change", args=[returned.fact_sheet_id])).content.decode()
    assert f'<a href="{edit_url(returned)}">Edit</a>' in html
    assert f'<a href="{edit_url(returned.fact_sheet.live_revision)}">View</a>' in html


def test_preview_links_back_to_the_draft_and_to_submit(client, author, returned):
    client.force_login(author)
    html = client.get(reverse("factsheets:preview", args=[returned.pk])).content.decode()
    assert edit_url(returned) in html and reverse("reviews:submit", args=[returned.pk]) in html


def test_admin_carries_the_product_name(client, author):
    client.force_login(author)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in html and "Django site admin" not in html
    assert "editorial workspace" in html


def test_start_a_new_draft_is_offered_only_when_it_can_work(client, author, returned):
    client.force_login(author)
    html = client.get(reverse("admin:factsheets_factsheet_change", args=[returned.fact_sheet_id])).content.decode()
    assert "Start a new draft" not in html  # version 2 is still being worked on
    assert f'href="{edit_url(returned)}">Edit version {returned.number}' in html
