"""Code formats (factsheets.content.codes), codes as signed content of a version, and the admin's code fields."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from factsheets.content import codes
from factsheets.authoring.forms import RevisionForm
from factsheets.authoring.codes import ConditionForm
from factsheets.models import FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.services import InvalidInput
from tests.factories import ConditionFactory, make_draft, make_published
from tests.record_guards import guards_lifted


# Formats ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("0002-1433-80", "00002-1433-80"),
        ("12345-678-90", "12345-0678-90"),
        ("12345-6789-0", "12345-6789-00"),
        ("12345678901", "12345-6789-01"),
        ("12345-6789-01", "12345-6789-01"),
    ],
)
def test_ndc_layouts_normalise_to_eleven_digits_5_4_2(raw, stored):
    assert codes.normalise_ndc(raw) == stored


@pytest.mark.parametrize("raw", ["1234567890", "123-4567-890", "12345-67-890", "abcde-fghi-jk", "12345-6789-012"])
def test_ambiguous_or_malformed_ndc_is_refused(raw):
    with pytest.raises(ValidationError):
        codes.normalise_ndc(raw)


def test_ten_undashed_ndc_digits_in_a_request_stand_for_each_layout():
    assert codes.ndc_candidates("0002143380") == ["00002-1433-80", "00021-0433-80", "00021-4338-00"]


def test_rxcui_is_digits_without_leading_zeros():
    assert codes.normalise_rxnorm(" 0042 ") == "42"
    for bad in ["", "0", "12a", "-5", "12345678901"]:
        with pytest.raises(ValidationError):
            codes.normalise_rxnorm(bad)


@pytest.mark.parametrize("raw, stored", [("l04ac03", "L04AC03"), ("L04AC", "L04AC"), ("L04", "L04"), ("M", "M")])
def test_atc_levels_are_accepted_upper_case(raw, stored):
    assert codes.normalise_atc(raw) == stored


@pytest.mark.parametrize("raw", ["L04AC3", "L4AC03", "E01AA01", "L04AC033", "04AC03"])
def test_malformed_atc_is_refused(raw):
    with pytest.raises(ValidationError):
        codes.normalise_atc(raw)


@pytest.mark.parametrize(
    "raw, stored",
    [("m05.79", "M05.79"), ("M0579", "M05.79"), ("M06.9", "M06.9"), ("M1A.0110", "M1A.0110"), ("M10", "M10")],
)
def test_icd10cm_normalises_case_and_dot(raw, stored):
    assert codes.normalise_icd10cm(raw) == stored


@pytest.mark.parametrize("raw", ["5M0", "M05.79123", "M0", "M05-79", "MM5"])
def test_malformed_icd10cm_is_refused(raw):
    with pytest.raises(ValidationError):
        codes.normalise_icd10cm(raw)


def test_icd10cm_ancestors_run_from_the_code_to_its_category():
    assert codes.icd10cm_ancestors("M05.79") == ["M05.79", "M05.7", "M05"]
    assert codes.icd10cm_ancestors("M10") == ["M10"]


def test_verhoeff_check_digit():
    # 236 -> check digit 3 is the textbook example of Verhoeff's scheme.
    assert codes.verhoeff_valid("2363") and not codes.verhoeff_valid("2364")
    assert codes.verhoeff_valid("69896004")  # a published SNOMED CT concept id
    assert not codes.verhoeff_valid("69896005")


def test_snomed_ct_needs_a_valid_check_digit_and_a_concept_partition():
    assert codes.normalise_snomedct("69896004") == "69896004"
    with pytest.raises(ValidationError, match="check digit"):
        codes.normalise_snomedct("69896005")
    with pytest.raises(ValidationError, match="6 to 18 digits"):
        codes.normalise_snomedct("12345")
    # A valid Verhoeff number whose partition (01) is a description, not a concept.
    description_id = next(f"1234501{d}" for d in "0123456789" if codes.verhoeff_valid(f"1234501{d}"))
    with pytest.raises(ValidationError, match="not a concept"):
        codes.normalise_snomedct(description_id)


def test_code_list_drops_duplicates_and_lists_every_bad_code():
    assert codes.parse_code_list(codes.NDC, "0002-1433-80, 00002143380\n12345-678-90") == [
        "00002-1433-80",
        "12345-0678-90",
    ]
    with pytest.raises(ValidationError) as caught:
        codes.parse_code_list(codes.RXNORM, "6851, x1, 0")
    assert len(caught.value.messages) == 2 and "“x1”" in caught.value.messages[0]


def test_model_refuses_codes_not_in_standard_form(db):
    revision = FactSheetRevision(rxnorm=["6851"], ndc=["0002-1433-80"], atc=["L04AC03"])
    with pytest.raises(ValidationError) as caught:
        revision.full_clean(exclude=["fact_sheet", "title", "generic_name", "summary", "credit_line", "number"])
    assert set(caught.value.message_dict) == {"ndc"}
    assert "00002-1433-80" in caught.value.message_dict["ndc"][0]


# Signed content -----------------------------------------------------------------------------------


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(
        author=author, reviewers=[reviewer1, reviewer2], committee=committee, rxnorm=["6851"], atc=["L04AX03"]
    )


def test_new_versions_hash_their_codes_since_canonical_form_3(live):
    assert live.hash_version == FactSheetRevision.HASH_VERSION >= 3 and live.canonical_content()["codes"] == {
        "rxnorm": ["6851"],
        "atc": ["L04AX03"],
        "ndc": [],
    }
    changed = FactSheetRevision.objects.get(pk=live.pk)
    changed.rxnorm = ["105586"]
    assert changed.compute_content_hash() != live.content_hash


def test_older_canonical_forms_ignore_codes(live):
    v2 = live.compute_content_hash(version=2)
    live.rxnorm = ["105586"]
    assert live.compute_content_hash(version=2) == v2 and "codes" not in live.canonical_content(version=2)


def test_changing_a_code_after_submission_is_refused_by_model_and_database(live):
    live.ndc = ["00002-1433-80"]
    with pytest.raises(ValidationError, match="ndc"):
        live.save()
    with pytest.raises(IntegrityError, match="record guard"), transaction.atomic():
        FactSheetRevision.objects.filter(pk=live.pk).update(rxnorm=["105586"])


def test_verify_record_reports_a_code_changed_below_the_guards(live):
    call_command("verify_record")
    with guards_lifted():
        FactSheetRevision.objects.filter(pk=live.pk).update(rxnorm=["105586"])
    with pytest.raises(CommandError):
        call_command("verify_record")


def test_new_draft_copies_the_codes(live, author):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    assert draft.codes() == live.codes()


def test_api_detail_serves_the_codes_as_signed(live, client):
    body = client.get(f"/api/v1/factsheets/{live.fact_sheet.slug}/").json()
    assert body["codes"] == {"rxnorm": ["6851"], "atc": ["L04AX03"], "ndc": []}


def test_api_conditions_carry_their_codes(author, reviewer1, reviewer2, committee, client):
    condition = ConditionFactory(slug="ra", icd10cm=["M06.9"], snomedct=["69896004"])
    make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, conditions=[condition])
    [listed] = client.get("/api/v1/conditions/").json()["results"]
    assert listed["codes"] == {"icd10cm": ["M06.9"], "snomedct": ["69896004"]}


# Required RXCUI -----------------------------------------------------------------------------------


def test_required_rxnorm_refuses_submission_without_one(settings, author, committee):
    settings.FACTSHEETS_REQUIRE_RXNORM = True
    draft = make_draft(author=author)
    with pytest.raises(InvalidInput, match="RxNorm RXCUI"):
        services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.DRAFT and not draft.content_hash


def test_required_rxnorm_accepts_a_version_with_one(settings, author, committee):
    settings.FACTSHEETS_REQUIRE_RXNORM = True
    draft = make_draft(author=author, rxnorm=["6851"])
    services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    assert FactSheetRevision.objects.get(pk=draft.pk).status == FactSheetRevision.Status.IN_REVIEW


# Admin --------------------------------------------------------------------------------------------


def _revision_form(draft, **changes):
    data = {
        "title": draft.title,
        "generic_name": draft.generic_name,
        "brand_names": "",
        "summary": draft.summary,
        "fast_facts": "",
        "credit_line": draft.credit_line,
        "change_note": "",
        "rxnorm": "",
        "atc": "",
        "ndc": "",
        **changes,
    }
    return RevisionForm(data=data, instance=draft)


def test_admin_form_normalises_typed_codes(author):
    draft = make_draft(author=author)
    form = _revision_form(draft, rxnorm="6851", ndc="0002-1433-80, 12345-678-90", atc="l04ax03")
    assert form.is_valid(), form.errors
    form.save()
    draft.refresh_from_db()
    assert (draft.rxnorm, draft.ndc, draft.atc) == (["6851"], ["00002-1433-80", "12345-0678-90"], ["L04AX03"])


def test_admin_form_shows_each_bad_code_and_saves_nothing(author):
    draft = make_draft(author=author)
    form = _revision_form(draft, ndc="1234567890", atc="X99")
    assert not form.is_valid()
    assert "ambiguous" in form.errors["ndc"][0] and "X99" in form.errors["atc"][0]
    assert FactSheetRevision.objects.get(pk=draft.pk).ndc == []


def test_condition_form_checks_snomed_check_digit(db):
    form = ConditionForm(
        data={"name": "Rheumatoid arthritis", "slug": "ra", "icd10cm": "m06.9", "snomedct": "69896005"}
    )
    assert not form.is_valid() and "check digit" in form.errors["snomedct"][0]
    form = ConditionForm(
        data={"name": "Rheumatoid arthritis", "slug": "ra", "icd10cm": "m06.9", "snomedct": "69896004"}
    )
    assert form.is_valid(), form.errors
    assert form.save().codes() == {"icd10cm": ["M06.9"], "snomedct": ["69896004"]}


def test_admin_page_saves_typed_codes_in_standard_form(client, author):
    from tests.factsheets.test_admin import change_url, revision_post

    draft = make_draft(author=author)
    client.force_login(author)
    response = client.post(change_url(draft), revision_post(draft, rxnorm="42", ndc="0002143380"))
    assert response.status_code == 200  # refused: 10 undashed digits are ambiguous
    assert "ambiguous" in response.content.decode()
    assert FactSheetRevision.objects.get(pk=draft.pk).rxnorm == []
    assert client.post(change_url(draft), revision_post(draft, rxnorm="42", ndc="0002-1433-80")).status_code == 302
    draft.refresh_from_db()
    assert (draft.rxnorm, draft.ndc) == (["42"], ["00002-1433-80"])


def test_admin_shows_the_codes_of_a_frozen_version(client, live, author):
    from tests.factsheets.test_admin import change_url

    client.force_login(author)
    page = client.get(change_url(live)).content.decode()
    assert "RxNorm RXCUIs" in page and "6851" in page and "L04AX03" in page
