"""The authoring admin, driven through the Django test client as an author would use it."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from factsheets.content.limits import FAST_FACT_MAX_LENGTH, FAST_FACTS_MAX_ITEMS
from factsheets.models import BODY_MAX_LENGTH, Condition, FactSheet, FactSheetRevision, Section
from reviews import services
from tests.factories import FactSheetFactory, make_draft, make_published

ADD_URL = reverse("admin:factsheets_factsheet_add")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def sheet_post(**overrides) -> dict:
    data = {
        "slug": "examplumab",
        "generic_name": "examplumab",
        "brand_names": "Examplex",
        "title": "Examplumab (Examplex)",
        "summary": "A made-up medicine for testing.",
        "fast_facts": "Take it weekly.\n\n  Tell your doctor about fever.  \n",
        "credit_line": "A. Writer, MD",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def section_management(prefix="sections", total=0, initial=0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def revision_post(revision, sections=(), **overrides) -> dict:
    """A change-form POST for `revision`, keeping its sections and adding `sections` (dicts)."""
    existing = list(revision.sections.all())
    data = {
        "title": revision.title,
        "generic_name": revision.generic_name,
        "brand_names": revision.brand_names,
        "conditions": [c.pk for c in revision.conditions.all()],
        "summary": revision.summary,
        "fast_facts": "\n".join(revision.fast_facts),
        "credit_line": revision.credit_line,
        "change_note": revision.change_note,
        "publish_at_0": "",
        "publish_at_1": "",
        "_save": "Save",
        **section_management(total=len(existing) + len(sections), initial=len(existing)),
    }
    rows = [
        {"id": s.pk, "position": s.position, "kind": s.kind, "heading": s.heading, "body": s.body} for s in existing
    ] + list(sections)
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"sections-{i}-{key}"] = value
        data[f"sections-{i}-revision"] = revision.pk
    data.update(overrides)
    return data


def change_url(revision):
    return reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])


# Creating a sheet ---------------------------------------------------------------------------------


def test_author_creates_sheet_and_first_draft_in_one_form(client, author):
    condition = Condition.objects.create(name="Gout", slug="gout")
    client.force_login(author)
    response = client.post(ADD_URL, sheet_post(conditions=[condition.pk]))
    sheet = FactSheet.objects.get(slug="examplumab")
    draft = sheet.revisions.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    assert draft.number == 1 and draft.status == FactSheetRevision.Status.DRAFT
    assert draft.fast_facts == ["Take it weekly.", "Tell your doctor about fever."]
    assert draft.created_by == author
    assert draft.history.get().history_user == author
    assert sheet.history.get().history_user == author
    assert (draft.generic_name, draft.brand_name_list, draft.title) == (
        "examplumab",
        ["Examplex"],
        "Examplumab (Examplex)",
    )
    assert list(draft.conditions.all()) == [condition]


def test_duplicate_slug_is_refused_with_a_message(client, author):
    FactSheetFactory(slug="examplumab")
    client.force_login(author)
    response = client.post(ADD_URL, sheet_post())
    assert response.status_code == 200
    assert "Fact sheet with this Slug already exists." in response.content.decode()
    assert FactSheet.objects.count() == 1
    assert FactSheetRevision.objects.count() == 0


def test_empty_title_is_refused_with_a_message(client, author):
    client.force_login(author)
    response = client.post(ADD_URL, sheet_post(title="  "))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == ["This field is required."]
    assert not FactSheet.objects.exists()


def test_too_many_fast_facts_are_refused(client, author):
    client.force_login(author)
    facts = "\n".join(f"Fact number {i}." for i in range(FAST_FACTS_MAX_ITEMS + 1))
    response = client.post(ADD_URL, sheet_post(fast_facts=facts))
    errors = response.context["adminform"].form.errors["fast_facts"]
    assert errors == [
        f"There are {FAST_FACTS_MAX_ITEMS + 1} fast facts; the Fast Facts box holds at most {FAST_FACTS_MAX_ITEMS}."
    ]
    assert not FactSheet.objects.exists()


def test_overlong_fast_fact_is_refused(client, author):
    client.force_login(author)
    response = client.post(ADD_URL, sheet_post(fast_facts="short\n" + "x" * (FAST_FACT_MAX_LENGTH + 1)))
    errors = response.context["adminform"].form.errors["fast_facts"]
    assert errors == [
        f"Fast fact 2 has {FAST_FACT_MAX_LENGTH + 1} characters; keep each to {FAST_FACT_MAX_LENGTH} or fewer."
    ]
    assert not FactSheet.objects.exists()


def test_reviewer_cannot_create_a_sheet(client, reviewer1):
    client.force_login(reviewer1)
    assert client.post(ADD_URL, sheet_post()).status_code == 403
    assert not FactSheet.objects.exists()


def test_sheet_is_not_created_when_the_first_draft_is_refused(client, db):
    """Someone who may add sheets but not write versions gets a message; the sheet is rolled back."""
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    user = make_user("sheet-only")
    user.user_permissions.add(Permission.objects.get(codename="add_factsheet"))
    client.force_login(user)
    response = client.post(ADD_URL, sheet_post(), follow=True)
    assert any("Only authors can write a fact sheet. Nothing was saved." in m for m in messages_of(response))
    assert not FactSheet.objects.exists()


# Editing a draft ----------------------------------------------------------------------------------


def test_author_adds_sections_and_edits_fast_facts(client, author):
    draft = make_draft(author=author, sections=0)
    client.force_login(author)
    data = revision_post(
        draft,
        sections=[
            {"position": 2, "kind": "dosing", "heading": "Dosing", "body": "Once a **week**."},
            {"position": 1, "kind": "how_it_works", "heading": "How it works", "body": "It blocks a signal."},
        ],
        fast_facts="First fact\nSecond fact",
    )
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.fast_facts == ["First fact", "Second fact"]
    assert [s.heading for s in draft.sections.all()] == ["How it works", "Dosing"]
    assert draft.sections.get(heading="Dosing").body_html == "<p>Once a <strong>week</strong>.</p>"
    assert Section.history.filter(revision_id=draft.pk, history_user=author).count() == 2


def test_author_edits_names_and_conditions_on_the_draft(client, author):
    gout = Condition.objects.create(name="Gout", slug="gout")
    draft = make_draft(author=author)
    client.force_login(author)
    data = revision_post(draft, generic_name="newumab", brand_names="Newbrand, Otherbrand", conditions=[gout.pk])
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.generic_name, draft.brand_name_list) == ("newumab", ["Newbrand", "Otherbrand"])
    assert draft.used_for() == [{"slug": "gout", "name": "Gout"}]


def test_new_section_without_position_goes_last(client, author):
    draft = make_draft(author=author, sections=2)  # positions 0 and 1
    client.force_login(author)
    data = revision_post(
        draft,
        sections=[
            {"position": "", "kind": "storage", "heading": "Storage", "body": "Keep it cool."},
            {"position": "", "kind": "other", "heading": "More", "body": "More text."},
        ],
    )
    assert client.post(change_url(draft), data).status_code == 302
    assert [(s.heading, s.position) for s in draft.sections.all()][-2:] == [("Storage", 11), ("More", 21)]


def test_new_section_form_starts_without_a_position(client, author):
    draft = make_draft(author=author, sections=1)
    client.force_login(author)
    response = client.get(change_url(draft))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].initial["position"] == 0
    assert formset.forms[1].initial["position"] is None


@pytest.mark.parametrize(
    "row, field",
    [
        ({"position": 1, "kind": "dosing", "heading": "", "body": "Some text."}, "heading"),
        ({"position": 1, "kind": "dosing", "heading": "Dosing", "body": ""}, "body"),
    ],
)
def test_section_without_heading_or_body_is_refused(client, author, row, field):
    draft = make_draft(author=author, sections=1)
    client.force_login(author)
    response = client.post(change_url(draft), revision_post(draft, sections=[row], title="Changed title"))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[1][field] == ["This field is required."]
    draft.refresh_from_db()
    assert draft.title != "Changed title"
    assert draft.sections.count() == 1


def test_section_body_over_limit_is_refused(client, author):
    draft = make_draft(author=author, sections=1)
    client.force_login(author)
    body = "a" * (BODY_MAX_LENGTH + 1)
    response = client.post(
        change_url(draft),
        revision_post(draft, sections=[{"position": 1, "kind": "other", "heading": "Long", "body": body}]),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[1]["body"] == [
        f"Ensure this value has at most {BODY_MAX_LENGTH} characters (it has {BODY_MAX_LENGTH + 1})."
    ]
    assert draft.sections.count() == 1


def test_empty_title_on_a_draft_is_refused(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    response = client.post(change_url(draft), revision_post(draft, title=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == ["This field is required."]
    draft.refresh_from_db()
    assert draft.title


# Locked revisions ---------------------------------------------------------------------------------


@pytest.fixture
def submitted(author, committee):
    draft = make_draft(author=author)
    services.revision_submit(revision=draft, by=author, committee=committee)
    draft.refresh_from_db()
    return draft


def test_submitted_revision_is_read_only_in_the_admin(client, author, submitted):
    client.force_login(author)
    response = client.get(change_url(submitted))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields) == []
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission
    assert "its content is frozen" in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    assert reverse("reviews:submit", args=[submitted.pk]) not in response.content.decode()


def test_forged_post_to_submitted_revision_changes_nothing(client, author, submitted):
    client.force_login(author)
    section = submitted.sections.first()
    data = revision_post(submitted, title="Changed behind the committee's back")
    data["sections-0-body"] = "Forged body"
    before = (FactSheetRevision.history.count(), Section.history.count())
    response = client.post(change_url(submitted), data, follow=True)
    assert response.status_code == 200
    assert any("can no longer be edited; nothing was changed" in m for m in messages_of(response))
    submitted.refresh_from_db()
    section.refresh_from_db()
    assert submitted.title != "Changed behind the committee's back"
    assert section.body != "Forged body"
    assert (FactSheetRevision.history.count(), Section.history.count()) == before


def test_revision_submitted_during_the_save_is_not_changed(client, author, committee, monkeypatch):
    """The model's lock is the last line: a RevisionLocked raised during the save becomes a message."""
    from factsheets.authoring.revision_admin import FactSheetRevisionAdmin
    from factsheets.models import RevisionLocked

    draft = make_draft(author=author)

    def locked_save(self, request, obj, form, change):
        raise RevisionLocked("locked")

    monkeypatch.setattr(FactSheetRevisionAdmin, "save_model", locked_save)
    client.force_login(author)
    response = client.post(change_url(draft), revision_post(draft, title="New title"), follow=True)
    assert response.status_code == 200
    assert any("nothing was changed" in m for m in messages_of(response))
    draft.refresh_from_db()
    assert draft.title != "New title"


def test_submitted_revision_cannot_be_deleted(client, author, submitted, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:factsheets_factsheetrevision_delete", args=[submitted.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert FactSheetRevision.objects.filter(pk=submitted.pk).exists()


def test_draft_links_to_preview_and_submit(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    content = client.get(change_url(draft)).content.decode()
    assert reverse("factsheets:preview", args=[draft.pk]) in content
    assert reverse("reviews:submit", args=[draft.pk]) in content


# Start a new draft --------------------------------------------------------------------------------


@pytest.fixture
def published(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


def test_start_new_draft_button_copies_the_live_version(client, author, published):
    client.force_login(author)
    url = reverse("admin:factsheets_factsheet_start_draft", args=[published.fact_sheet_id])
    response = client.post(url)
    draft = FactSheetRevision.objects.get(fact_sheet=published.fact_sheet, number=2)
    assert response["Location"] == change_url(draft)
    assert draft.title == published.title and draft.sections.count() == published.sections.count()


def test_start_new_draft_refused_while_a_draft_exists(client, author, published):
    make_draft(author=author, fact_sheet=published.fact_sheet, number=2)
    client.force_login(author)
    url = reverse("admin:factsheets_factsheet_start_draft", args=[published.fact_sheet_id])
    response = client.post(url, follow=True)
    assert any("Version 2 is draft; finish or withdraw it" in m for m in messages_of(response))
    assert published.fact_sheet.revisions.count() == 2


def test_start_new_draft_refused_for_a_reviewer(client, reviewer3, published):
    client.force_login(reviewer3)
    url = reverse("admin:factsheets_factsheet_start_draft", args=[published.fact_sheet_id])
    response = client.post(url, follow=True)
    assert any("Only authors can start a new draft." in m for m in messages_of(response))
    assert published.fact_sheet.revisions.count() == 1


def test_start_new_draft_needs_post(client, author, published):
    client.force_login(author)
    url = reverse("admin:factsheets_factsheet_start_draft", args=[published.fact_sheet_id])
    assert client.get(url).status_code == 405


def test_start_new_draft_admin_action(client, author, published):
    other = make_draft(author=author)  # has a draft already: refused, reported
    client.force_login(author)
    response = client.post(
        reverse("admin:factsheets_factsheet_changelist"),
        {"action": "start_new_draft", "_selected_action": [published.fact_sheet_id, other.fact_sheet_id]},
        follow=True,
    )
    texts = messages_of(response)
    assert any("version 2 started as a draft" in m for m in texts)
    assert any("Version 1 is draft" in m for m in texts)
    assert published.fact_sheet.revisions.count() == 2
    assert other.fact_sheet.revisions.count() == 1


# Sheet page and changelist ------------------------------------------------------------------------


def test_sheet_page_links_for_an_editor(client, editor, published):
    client.force_login(editor)
    content = client.get(reverse("admin:factsheets_factsheet_change", args=[published.fact_sheet_id])).content.decode()
    sheet_id = published.fact_sheet_id
    assert reverse("reviews:sheet_versions", args=[sheet_id]) in content
    assert reverse("reviews:withdraw_sheet", args=[sheet_id]) in content
    assert reverse("reviews:reaffirm", args=[sheet_id]) in content


def test_sheet_page_links_for_an_author(client, author, published):
    client.force_login(author)
    content = client.get(reverse("admin:factsheets_factsheet_change", args=[published.fact_sheet_id])).content.decode()
    sheet_id = published.fact_sheet_id
    assert reverse("reviews:sheet_versions", args=[sheet_id]) in content
    assert reverse("reviews:withdraw_sheet", args=[sheet_id]) not in content
    assert reverse("reviews:reaffirm", args=[sheet_id]) not in content
    assert reverse("admin:factsheets_factsheet_start_draft", args=[sheet_id]) in content


def test_changelist_shows_live_version_and_work_in_progress(client, author, published):
    make_draft(author=author, fact_sheet=published.fact_sheet, number=2, title="Second version")
    client.force_login(author)
    response = client.get(reverse("admin:factsheets_factsheet_changelist"))
    content = response.content.decode()
    assert published.title in content
    assert "Version 2: Draft" in content
    assert published.next_review_due.strftime("%Y") in content


def test_changelist_search_finds_revision_titles(client, author):
    make_draft(author=author, title="Findme (Uniquebrand)")
    make_draft(author=author, title="Other sheet")
    client.force_login(author)
    response = client.get(reverse("admin:factsheets_factsheet_changelist"), {"q": "findme"})
    assert response.context["cl"].result_count == 1


def test_changelist_filters(client, author, published):
    make_draft(author=author)
    FactSheetRevision.objects.filter(pk=published.pk).update(next_review_due=dt.date(2000, 1, 1))
    client.force_login(author)
    url = reverse("admin:factsheets_factsheet_changelist")
    assert client.get(url, {"live": "yes"}).context["cl"].result_count == 1
    assert client.get(url, {"live": "no"}).context["cl"].result_count == 1
    assert client.get(url, {"overdue": "yes"}).context["cl"].result_count == 1
    assert client.get(url, {"withdrawn": "yes"}).context["cl"].result_count == 0


def test_changelist_query_count_does_not_grow_with_sheets(client, author, published, django_assert_max_num_queries):
    for _ in range(30):
        make_draft(author=author, sections=0)
    client.force_login(author)
    with django_assert_max_num_queries(10):  # 8 today: session, user, perms, filters, counts, rows
        response = client.get(reverse("admin:factsheets_factsheet_changelist"))
    assert response.context["cl"].result_count == 31


# History ------------------------------------------------------------------------------------------


def test_history_shows_field_diffs_and_section_changes(client, author):
    draft = make_draft(author=author, sections=1)
    client.force_login(author)
    data = revision_post(draft, title="A clearer title")
    data["sections-0-body"] = "A rewritten body."
    assert client.post(change_url(draft), data).status_code == 302
    url = reverse("admin:factsheets_factsheetrevision_history", args=[draft.pk])
    content = client.get(url).content.decode()
    assert "<strong>Title:</strong>" in content and "A clearer title" in content
    assert "<strong>Body:</strong>" in content and "A rewritten body." in content
    assert author.username in content


def test_revision_changelist_query_count_does_not_grow(client, author, published, django_assert_max_num_queries):
    for _ in range(20):
        make_draft(author=author, sections=0)
    client.force_login(author)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:factsheets_factsheetrevision_changelist"))
    assert response.context["cl"].result_count == 21
