"""One set of content limits (factsheets.content.limits), refused the same way on every path: the model's
validation (shell, importer), the admin forms, submission and an imported publication."""

from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from factsheets.content import limits
from factsheets.models import FactSheet, FactSheetRevision, Section
from reviews import services
from reviews.models import Review
from tests.factories import CommitteeFactory, SectionFactory, make_draft
from tests.factsheets.test_admin import revision_post

Status = FactSheetRevision.Status
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
ADD_URL = reverse("admin:factsheets_factsheet_add")

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b"])
def test_a_title_with_a_line_break_is_refused(author, line_break):
    revision = make_draft(author=author)
    revision.title = f"Examplumab{line_break}(Examplex)"
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert "single line" in " ".join(error.value.message_dict["title"])


def test_a_heading_with_a_line_break_is_refused(author):
    section = make_draft(author=author).sections.first()
    section.heading = "How it\nworks"
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "single line" in " ".join(error.value.message_dict["heading"])


def test_thirteen_fast_facts_are_refused_by_the_model(author):
    revision = make_draft(author=author)
    revision.fast_facts = [f"Fact {i}." for i in range(limits.FAST_FACTS_MAX_ITEMS + 1)]
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert "at most 12" in " ".join(error.value.message_dict["fast_facts"])


def test_twelve_fast_facts_of_300_characters_are_accepted(author):
    revision = make_draft(author=author)
    revision.fast_facts = ["x" * limits.FAST_FACT_MAX_LENGTH] * limits.FAST_FACTS_MAX_ITEMS
    revision.full_clean()


def test_a_section_beyond_the_maximum_number_is_refused(author):
    revision = make_draft(author=author, sections=limits.SECTIONS_MAX)
    extra = Section(revision=revision, position=999, kind="other", heading="One more", body="Text.")
    with pytest.raises(ValidationError, match="at most 30"):
        extra.full_clean()


def test_a_version_over_the_total_length_is_refused(author):
    revision = make_draft(author=author, sections=0)
    body = "word " * (limits.SECTION_BODY_MAX_LENGTH // 5)
    for position in range(limits.VERSION_MAX_LENGTH // limits.SECTION_BODY_MAX_LENGTH + 1):
        SectionFactory(revision=revision, position=position, heading=f"Part {position}", body=body)
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert "holds at most 100,000" in messages_of(error.value)


def test_the_drug_names_count_towards_the_total_length(author):
    # Names are printed to patients too: a version exactly at the limit without them goes over with them.
    revision = make_draft(author=author, sections=0)
    revision.generic_name, revision.brand_names = "", ""
    fields = (
        len(revision.title) + len(revision.summary) + len(revision.credit_line) + sum(map(len, revision.fast_facts))
    )
    room = limits.VERSION_MAX_LENGTH - fields
    for position in range(room // limits.SECTION_BODY_MAX_LENGTH + 1):
        size = min(limits.SECTION_BODY_MAX_LENGTH, room - position * limits.SECTION_BODY_MAX_LENGTH)
        SectionFactory(revision=revision, position=position, heading="", body="x" * size)
    revision.validate_version(sections=[(s.heading, s.body) for s in revision.sections.all()])
    revision.brand_names = "Examplex"
    with pytest.raises(ValidationError) as error:
        revision.validate_version(sections=[(s.heading, s.body) for s in revision.sections.all()])
    assert "holds at most 100,000" in messages_of(error.value)


def test_lists_nested_deeper_than_the_limit_are_refused(author):
    section = make_draft(author=author).sections.first()
    section.body = "".join("  " * depth + f"- level {depth}\n" for depth in range(limits.MARKDOWN_MAX_NESTING + 2))
    with pytest.raises(ValidationError, match="nested"):
        section.full_clean()


def test_lists_nested_to_the_limit_render_every_word(author):
    section = make_draft(author=author).sections.first()
    section.body = "".join("  " * depth + f"- level{depth}\n" for depth in range(limits.MARKDOWN_MAX_NESTING))
    section.full_clean()
    section.save()
    assert all(f"level{depth}" in section.body_html for depth in range(limits.MARKDOWN_MAX_NESTING))


# The workflow gate: whatever wrote the version, it is not frozen or published outside the limits ------------


def test_submission_refuses_a_version_written_past_the_limits_and_sends_nothing(author, committee):
    revision = make_draft(author=author)
    # Written as a shell or an importer could, without full_clean.
    FactSheetRevision.objects.filter(pk=revision.pk).update(title="Examplumab\n(Examplex)", fast_facts=["x" * 600] * 30)
    revision.refresh_from_db()
    mail.outbox.clear()
    with pytest.raises(services.InvalidInput) as error:
        services.revision_submit(revision=revision, by=author, committee=committee, justification="x")
    assert "single line" in error.value.message and "at most 12" in error.value.message
    revision.refresh_from_db()
    assert revision.status == Status.DRAFT and not Review.objects.exists()
    assert mail.outbox == []


def test_a_title_with_a_line_break_can_no_longer_lose_the_review_email(
    author, committee, django_capture_on_commit_callbacks
):
    """The "please review" email failed silently for such a title (a header cannot hold a line break);
    the title is refused before anything is sent, and a valid title's email goes out."""
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_submit(revision=revision, by=author, committee=committee, justification="x")
    assert [m.subject for m in mail.outbox if m.subject.startswith("Please review")]


def test_imported_publication_refuses_a_version_past_the_limits(author):
    revision = make_draft(author=author)
    FactSheetRevision.objects.filter(pk=revision.pk).update(fast_facts=["A long fact. " * 45] * 30)
    revision.refresh_from_db()
    import datetime as dt

    with pytest.raises(services.InvalidInput, match="at most 12"):
        services.revision_import_published(
            revision=revision, committee=CommitteeFactory(), updated_on=dt.date(2024, 5, 1), source="x.txt"
        )
    revision.refresh_from_db()
    assert revision.status == Status.DRAFT
    assert FactSheet.objects.get(pk=revision.fact_sheet_id).live_revision_id is None


def test_import_as_published_of_a_file_past_the_limits_publishes_nothing(tmp_path):
    text = (FIXTURES / "examplumab.txt").read_text()
    many = "\n".join(f"  • Fast fact number {i}: " + "take it with food and water. " * 20 for i in range(30))
    text = text.replace("Fast Facts\n", f"Fast Facts\n\n{many}\n", 1)
    path = tmp_path / "examplumab.txt"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_factsheets",
            str(path),
            "--as-published",
            "--committee",
            "Committee on Patient Education",
            stdout=StringIO(),
            stderr=err,
        )
    assert "at most 12" in err.getvalue()
    assert not FactSheetRevision.objects.filter(status=Status.PUBLISHED).exists()


def test_import_as_a_draft_of_a_file_past_the_limits_creates_nothing(tmp_path):
    # A draft past the limits is one its author could not open to fix: refused at import, not at submission.
    text = (FIXTURES / "examplumab.txt").read_text()
    many = "\n".join(f"  • Fast fact number {i}: " + "take it with food and water. " * 20 for i in range(30))
    path = tmp_path / "examplumab.txt"
    path.write_text(text.replace("Fast Facts\n", f"Fast Facts\n\n{many}\n", 1))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_factsheets", str(path), stdout=StringIO(), stderr=err)
    assert "examplumab.txt" in err.getvalue() and "at most 12" in err.getvalue()
    assert not FactSheet.objects.exists() and not FactSheetRevision.objects.exists()


# The admin shows the model's own messages -------------------------------------------------------------------


def sheet_post(**overrides):
    data = {
        "generic_name": "examplumab",
        "slug": "examplumab",
        "brand_names": "Examplex",
        "title": "Examplumab (Examplex)",
        "summary": "A made-up medicine.",
        "fast_facts": "Take it once a week.",
        "credit_line": "A. Writer, MD",
    }
    return {**data, **overrides}


def test_admin_add_form_refuses_a_title_with_a_line_break(client, author):
    client.force_login(author)
    response = client.post(ADD_URL, sheet_post(title="Examplumab\u2028(Examplex)"))
    assert response.status_code == 200
    assert "single line" in " ".join(response.context["adminform"].form.errors["title"])
    assert not FactSheet.objects.exists()


def test_admin_refuses_sections_that_together_exceed_the_version_limit(client, author):
    revision = make_draft(author=author, sections=0)
    client.force_login(author)
    body = "word " * (limits.SECTION_BODY_MAX_LENGTH // 5)
    sections = [
        {"position": str(i), "kind": "other", "heading": f"Part {i}", "body": body}
        for i in range(limits.VERSION_MAX_LENGTH // limits.SECTION_BODY_MAX_LENGTH + 1)
    ]
    response = client.post(
        reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk]), revision_post(revision, sections)
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "holds at most 100,000" in " ".join(formset.non_form_errors())
    assert revision.sections.count() == 0
