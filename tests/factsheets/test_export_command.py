"""export_factsheets: JSON in the API detail shape, Markdown the importer reads back with identical hashes."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from factsheets.importing.export import DETAIL_KEYS, revision_detail_data
from factsheets.models import Condition, FactSheet, FactSheetRevision, Rendition, Section, SectionKind
from reviews import services
from reviews.models import Decision, Review
from tests.factories import FactSheetFactory, make_draft, make_published
from tests.record_guards import guards_lifted

pytestmark = pytest.mark.django_db


def export(outdir, fmt="markdown"):
    out, err = StringIO(), StringIO()
    call_command("export_factsheets", str(outdir), "--format", fmt, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def published(author, reviewer1, reviewer2, committee):
    """Two live sheets (one on its second version, one with tricky text), a draft-only sheet and a withdrawn one."""
    arthritis = Condition.objects.create(name="Example arthritis", slug="example-arthritis")
    first = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, conditions=[arthritis])
    sheet = first.fact_sheet
    second = make_draft(
        author=author,
        fact_sheet=sheet,
        number=2,
        title="Examplumab (Examplex), second edition",
        conditions=[arthritis],
        rxnorm=["1191"],  # drug codes are signed content: the round trip must keep them (made-up pairing)
        atc=["L04AC03"],
    )
    review = services.revision_submit(revision=second, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    tricky = make_draft(
        author=author,
        fact_sheet=FactSheetFactory(slug="trickumab"),
        brand_names="",
        sections=0,
        summary='Quotes "here", a colon: and a # sign.',
        fast_facts=["A fact with **bold** text.", "Another: with a colon."],
        credit_line="Z. Writer, MD, PhD",
    )
    Section.objects.create(
        revision=tricky,
        position=9,
        kind=SectionKind.OTHER,
        heading="How it works",  # kind differs from heading
        body="### A sub-heading\n\n1. first\n2. second\n\n> a quote",
    )
    review = services.revision_submit(revision=tricky, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    make_draft(author=author)  # never published: not exported
    gone = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    services.factsheet_withdraw(fact_sheet=gone.fact_sheet, by=_editor(), reason="Taken off the market.")
    return [sheet.slug, "trickumab"]


def _editor():
    from tests.factories import make_user

    return make_user("export-editor", "Editors")


def test_json_export_writes_the_api_detail_of_each_live_sheet(published, tmp_path):
    out, _ = export(tmp_path, "json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{slug}.json" for slug in published)
    data = json.loads((tmp_path / f"{published[0]}.json").read_text(encoding="utf-8"))
    assert tuple(data) == DETAIL_KEYS
    live = FactSheet.objects.get(slug=published[0]).live_revision
    assert data["version"] == 2 and data["title"] == "Examplumab (Examplex), second edition"
    assert data["content_hash"] == live.content_hash
    assert data["conditions"] == [{"slug": "example-arthritis", "name": "Example arthritis"}]
    assert data["reviewed_by"] == {"name": live.reviewed_by_name}
    assert data["updated_on"] == live.updated_on.isoformat()
    assert data["sections"][0].keys() == {"kind", "heading", "body_markdown", "body_html"}
    assert data["url"].endswith(f"/factsheets/{published[0]}/")
    assert "Exported 2 fact sheets" in out


def test_detail_data_has_exactly_the_api_keys(published):
    revision = FactSheet.objects.get(slug="trickumab").live_revision
    data = revision_detail_data(revision)
    assert list(data) == [
        "slug",
        "title",
        "generic_name",
        "brand_names",
        "conditions",
        "codes",
        "version",
        "summary",
        "fast_facts",
        "sections",
        "authors",
        "reviewed_by",
        "updated_on",
        "last_reviewed_on",
        "next_review_due",
        "published_at",
        "content_hash",
        "rendition_hash",
        "reading_grade",
        "language",
        "translation_of",
        "editions",
        "url",
    ]
    assert data["brand_names"] == [] and data["authors"] == "Z. Writer, MD, PhD"


def test_markdown_export_then_import_into_an_empty_database_gives_identical_hashes(published, tmp_path):
    _, err = export(tmp_path)
    assert err == ""  # every sheet survives Markdown exactly
    before = {
        sheet.slug: (sheet.live_revision.content_hash, sheet.live_revision.updated_on, sheet.live_revision.credit_line)
        for sheet in FactSheet.objects.live()
    }
    committee_name = FactSheet.objects.live().first().live_revision.reviewed_by_name

    # Empty the content (records included) so the import starts from nothing, as on a new site.
    with guards_lifted():
        Decision.objects.all().delete()
        Review.objects.all().delete()
        FactSheet.objects.update(live_revision=None)
        FactSheetRevision.objects.update(rendition=None)
        Rendition.objects.all().delete()
        Section.objects.all().delete()
        FactSheetRevision.objects.all().delete()
        FactSheet.objects.all().delete()
        Condition.objects.all().delete()

    out = StringIO()
    call_command("import_factsheets", *sorted(str(p) for p in tmp_path.iterdir()), "--as-published", stdout=out)
    after = {
        sheet.slug: (sheet.live_revision.content_hash, sheet.live_revision.updated_on, sheet.live_revision.credit_line)
        for sheet in FactSheet.objects.live()
    }
    assert after == before
    for sheet in FactSheet.objects.live():
        assert sheet.live_revision.reviewed_by_name == committee_name
        assert sheet.live_revision.content_hash == sheet.live_revision.compute_content_hash()
    assert FactSheet.objects.get(slug=published[0]).live_revision.used_for() == [
        {"slug": "example-arthritis", "name": "Example arthritis"}
    ]
    assert FactSheet.objects.get(slug="trickumab").live_revision.sections.get().kind == SectionKind.OTHER
    assert FactSheet.objects.get(slug=published[0]).live_revision.codes() == {
        "rxnorm": ["1191"],
        "atc": ["L04AC03"],
        "ndc": [],
    }


def test_markdown_front_matter_with_a_bad_drug_code_is_refused_with_its_line(tmp_path):
    path = tmp_path / "bad-code.md"
    path.write_text(
        "---\nslug: badcode\ntitle: Badcode\ngeneric_name: badcode\nrxnorm:\n  - 12ab\n---\n\n# Badcode\n\n"
        "## How it works {#how_it_works}\n\nMade-up words.\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_factsheets", str(path), stdout=StringIO(), stderr=err)
    assert "rxnorm" in err.getvalue() and "bad-code.md" in err.getvalue()
    assert not FactSheet.objects.filter(slug="badcode").exists()


def test_a_file_without_codes_keeps_the_codes_of_the_latest_version(published, tmp_path):
    slug = published[0]
    live = FactSheet.objects.get(slug=slug).live_revision
    text = tmp_path / "in.md"
    from factsheets.importing.export import revision_markdown

    markdown = revision_markdown(live)
    without_codes = "\n".join(
        line for line in markdown.split("\n") if not line.startswith(("rxnorm:", "atc:", '  - "1191"', '  - "L04AC03"'))
    )
    text.write_text(without_codes.replace("second edition", "third edition"))
    out = StringIO()
    call_command("import_factsheets", str(text), stdout=out)
    draft = FactSheet.objects.get(slug=slug).revisions.order_by("-number").first()
    assert draft.number == 3 and draft.status == FactSheetRevision.Status.DRAFT
    assert draft.codes() == live.codes()
    assert "no drug codes; those of version 2 are kept" in out.getvalue()


def test_markdown_export_warns_when_a_body_cannot_survive_markdown(author, reviewer1, reviewer2, committee, tmp_path):
    revision = make_draft(author=author)
    Section.objects.create(
        revision=revision, position=5, kind=SectionKind.OTHER, heading="Extra", body="Text\n\n## Inner\n\nMore"
    )
    review = services.revision_submit(revision=revision, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    _, err = export(tmp_path)
    assert "does not survive Markdown exactly" in err and "--format json" in err


def test_export_to_a_file_path_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a folder"):
        export(target)


def test_export_query_count_does_not_grow_with_sheets(published, tmp_path, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        export(tmp_path, "json")


def test_json_export_equals_what_the_api_serves(published, tmp_path, client):
    export(tmp_path, "json")
    data = json.loads((tmp_path / f"{published[0]}.json").read_text(encoding="utf-8"))
    assert data == client.get(f"/api/v1/factsheets/{published[0]}/").json()
