"""Limits on author-editable text: NUL characters and overlong text are refused with a clear message."""

import pytest
from django.core.exceptions import ValidationError

from factsheets.content.limits import SECTION_BODY_MAX_LENGTH
from factsheets.models import Condition, Section
from factsheets.content.validators import FastFactsValidator, no_nul_bytes
from reviews import services
from reviews.models import Decision
from tests.factories import PASSWORD, make_draft, make_published

NUL_MESSAGE = "NUL character"


@pytest.mark.parametrize("value", ["a\x00b", ["ok", "bad\x00"], {"k": "v\x00"}])
def test_no_nul_bytes_refuses_nul_anywhere(value):
    with pytest.raises(ValidationError, match=NUL_MESSAGE):
        no_nul_bytes(value)


@pytest.mark.parametrize("value", ["plain", "emoji 💊 and RTL \u202e mark and zero\u200dwidth", ["a", "b"], 3, None])
def test_no_nul_bytes_accepts_other_text(value):
    no_nul_bytes(value)


@pytest.mark.parametrize("field", ["title", "summary", "credit_line", "change_note"])
def test_revision_text_fields_refuse_nul(author, field):
    revision = make_draft(author=author)
    setattr(revision, field, "Text with a \x00 NUL")
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert NUL_MESSAGE in str(error.value.message_dict[field])


def test_fast_facts_refuse_nul(author):
    revision = make_draft(author=author)
    revision.fast_facts = ["fine", "not\x00fine"]  # (PostgreSQL could not even store this)
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert NUL_MESSAGE in str(error.value.message_dict["fast_facts"])


@pytest.mark.parametrize("field", ["heading", "body"])
def test_section_fields_refuse_nul(author, field):
    section = make_draft(author=author).sections.first()
    setattr(section, field, "x\x00y")
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert NUL_MESSAGE in str(error.value.message_dict[field])


@pytest.mark.parametrize("field", ["generic_name", "brand_names"])
def test_revision_names_refuse_nul(author, field):
    revision = make_draft(author=author)
    setattr(revision, field, "a\x00b")
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert NUL_MESSAGE in str(error.value.message_dict[field])


def test_condition_name_refuses_nul(db):
    condition = Condition(slug="x", name="a\x00b")
    with pytest.raises(ValidationError) as error:
        condition.full_clean()
    assert NUL_MESSAGE in str(error.value.message_dict["name"])


def test_overlong_summary_is_refused_by_the_model(author):
    revision = make_draft(author=author, summary="x" * 1001)
    with pytest.raises(ValidationError) as error:
        revision.full_clean()
    assert "at most 1000 characters" in str(error.value.message_dict["summary"])


def test_overlong_section_body_is_refused(author):
    section = make_draft(author=author).sections.first()
    section.body = "x" * (SECTION_BODY_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert f"at most {SECTION_BODY_MAX_LENGTH} characters" in str(error.value.message_dict["body"])


@pytest.mark.parametrize(
    "value,message",
    [
        ("not a list", "must be a list"),
        ([1, 2], "must be a list"),
        (["x"] * 13, "There are 13 fast facts; the Fast Facts box holds at most 12"),
        (["ok", "y" * 301], "Fast fact 2 has 301 characters"),
        (["one\ntwo"], "Fast fact 1 contains a line break"),
    ],
)
def test_fast_facts_shape_and_length(value, message):
    with pytest.raises(ValidationError, match=message):
        FastFactsValidator()(value)


def test_sign_off_comment_with_nul_is_refused_and_nothing_is_signed(author, reviewer1, committee):
    revision = make_draft(author=author)
    review = services.revision_submit(revision=revision, by=author, committee=committee)
    with pytest.raises(services.InvalidInput, match=NUL_MESSAGE):
        services.review_sign(
            review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Fix \x00 this"
        )
    assert not Decision.objects.exists()
    revision.refresh_from_db()
    assert revision.status == "in_review"


def test_overlong_conflict_declaration_is_refused(author, reviewer1, committee):
    review = services.revision_submit(revision=make_draft(author=author), by=author, committee=committee)
    with pytest.raises(services.InvalidInput, match="keep it to 5000"):
        services.review_sign(
            review=review, by=reviewer1, verdict="approve", password=PASSWORD, conflict_of_interest="c" * 5001
        )
    assert not Decision.objects.exists()


def test_withdrawal_reason_with_nul_is_refused_and_sheet_stays_live(author, reviewer1, reviewer2, committee, editor):
    revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    with pytest.raises(services.InvalidInput, match=NUL_MESSAGE):
        services.factsheet_withdraw(fact_sheet=revision.fact_sheet, by=editor, reason="Unsafe \x00")
    revision.fact_sheet.refresh_from_db()
    assert revision.fact_sheet.withdrawn_at is None


def test_admin_form_refuses_nul_with_a_message(author):
    """The model field's form field (what the admin uses) shows the message too."""
    field = Section._meta.get_field("heading").formfield()
    with pytest.raises(ValidationError, match="Null characters are not allowed|NUL character"):
        field.clean("Heading \x00")
