"""The import_factsheets command: drafts, published legacy versions, dry run, partial failure, the real samples."""

import datetime as dt
import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from factsheets.models import Condition, FactSheet, FactSheetRevision, Section, SectionKind
from reviews.models import Committee, Decision, Review
from tests.factories import CommitteeFactory, make_published

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
Status = FactSheetRevision.Status

pytestmark = pytest.mark.django_db


def samples_dir() -> Path | None:
    """The shared sample sheets: ../shared/samples next to the repository (CI), or above a worktree."""
    if os.environ.get("FACTSHEET_SAMPLES_DIR"):
        return Path(os.environ["FACTSHEET_SAMPLES_DIR"])
    for parent in Path(settings.BASE_DIR).resolve().parents:
        candidate = parent / "shared" / "samples"
        if candidate.is_dir():
            return candidate
    return None


SAMPLES = samples_dir()
needs_samples = pytest.mark.skipif(
    SAMPLES is None or not any(SAMPLES.glob("*.txt")),
    reason="no ../shared/samples/*.txt next to the repository (CI provides it; or set FACTSHEET_SAMPLES_DIR)",
)


def anakinra() -> Path:
    """The real ACR sample, read where it is kept (never copied into the repository)."""
    path = SAMPLES / "anakinra.txt"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_factsheets", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_factsheets", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(exc.value)


# Drafts -----------------------------------------------------------------------------------------------


def test_each_file_becomes_a_sheet_with_a_draft():
    out, _ = run(FIXTURES / "examplumab.txt", FIXTURES / "plainumab.txt")
    sheet = FactSheet.objects.get(slug="examplumab")
    assert sheet.live_revision is None
    revision = sheet.revisions.get()
    assert revision.generic_name == "Examplumab" and revision.brand_name_list == ["Examplex", "Samplora"]
    assert (revision.number, revision.status, revision.created_by) == (1, Status.DRAFT, None)
    assert revision.fast_facts[0] == "Examplumab is a made-up medicine used only to test this system."
    assert list(revision.sections.values_list("kind", flat=True))[:3] == ["overview", "how_it_works", "dosing"]
    assert revision.credit_line == "A. Writer, MD, and B. Checker, PharmD"
    assert FactSheet.objects.filter(slug="plainumab").exists()
    assert "Imported 2 of 2 files." in out


def test_draft_import_records_the_file_and_user_in_history(author):
    run(FIXTURES / "examplumab.txt", "--user", "author")
    revision = FactSheetRevision.objects.get(fact_sheet__slug="examplumab")
    assert revision.created_by == author
    record = revision.history.earliest()
    assert record.history_user == author
    assert record.history_change_reason == "Imported from examplumab.txt as a draft"
    assert FactSheet.history.get(slug="examplumab").history_change_reason == "Imported from examplumab.txt"


def test_unknown_user_is_refused_before_anything_is_imported():
    _, _, message = run_failing(FIXTURES / "examplumab.txt", "--user", "nobody")
    assert "nobody" in message
    assert not FactSheet.objects.exists()


def test_markdown_import_creates_missing_conditions_and_uses_the_front_matter_slug():
    Condition.objects.create(name="Example arthritis", slug="example-arthritis")
    run(FIXTURES / "samplora.md")
    revision = FactSheetRevision.objects.get(fact_sheet__slug="samplora-tablets")
    assert sorted(revision.conditions.values_list("slug", flat=True)) == ["example-arthritis", "made-up-gout"]
    assert Condition.objects.count() == 2
    assert revision.brand_name_list == ["Samplora", "Placebex"]


def test_existing_slug_gets_the_next_version_as_a_draft(author, reviewer1, reviewer2, committee):
    from tests.factories import FactSheetFactory

    live = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
    )
    run(FIXTURES / "examplumab.txt")
    assert FactSheet.objects.count() == 1
    draft = FactSheetRevision.objects.get(fact_sheet=live.fact_sheet, number=2)
    assert draft.status == Status.DRAFT
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED and live.fact_sheet.live_revision == live


def test_existing_slug_with_an_unfinished_version_is_refused(tmp_path):
    run(FIXTURES / "plainumab.txt")
    changed = tmp_path / "plainumab.txt"
    changed.write_text((FIXTURES / "plainumab.txt").read_text(encoding="utf-8") + "\nOne more paragraph.\n")
    _, err, message = run_failing(changed)
    assert "version 1 (draft)" in err and "plainumab.txt" in message
    assert FactSheetRevision.objects.count() == 1


# Published legacy versions --------------------------------------------------------------------------


def test_as_published_keeps_the_source_date_and_credit_line_without_sign_offs():
    committee = CommitteeFactory(name="Committee on Patient Education")
    run(FIXTURES / "examplumab.txt", "--as-published", "--committee", "Committee on Patient Education")
    sheet = FactSheet.objects.get(slug="examplumab")
    revision = sheet.live_revision
    assert revision.status == Status.PUBLISHED
    assert revision.updated_on == dt.date(2021, 6, 1)
    assert revision.last_reviewed_on == dt.date(2021, 6, 1)
    assert revision.next_review_due == dt.date(2024, 6, 1)
    assert revision.credit_line == "A. Writer, MD, and B. Checker, PharmD"
    assert revision.reviewed_by_name == committee.name
    assert revision.imported_from == "examplumab.txt"
    assert revision.content_hash == revision.compute_content_hash()
    assert revision.history.latest().history_change_reason == (
        "Imported from examplumab.txt; approved outside this system"
    )
    assert not Review.objects.exists() and not Decision.objects.exists()


def test_as_published_without_committee_option_uses_the_footer_committee_by_its_ending():
    committee = CommitteeFactory(name="Committee on Patient Education")
    run(FIXTURES / "examplumab.txt", "--as-published")
    assert FactSheet.objects.get(slug="examplumab").live_revision.reviewed_by_name == committee.name
    assert Committee.objects.count() == 1


def test_as_published_creates_a_missing_committee_and_says_so():
    out, _ = run(FIXTURES / "examplumab.txt", "--as-published", "--committee", "Committee on Made-up Medicines")
    committee = Committee.objects.get(name="Committee on Made-up Medicines")
    assert committee.required_approvals == 2 and committee.review_interval_months == 36
    assert "created the committee “Committee on Made-up Medicines”" in out
    assert "recorded as the “Committee on Made-up Medicines”" in out  # the footer named another one


def test_as_published_needs_the_updated_date():
    _, err, _ = run_failing(
        FIXTURES / "plainumab.txt", "--as-published", "--committee", "Committee on Patient Education"
    )
    assert "Updated <Month YYYY>" in err
    assert not FactSheet.objects.exists() and not Committee.objects.exists()


def test_as_published_never_replaces_a_version_a_committee_approved_here(author, reviewer1, reviewer2, committee):
    from tests.factories import FactSheetFactory

    old = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
    )
    _, err, _ = run_failing(FIXTURES / "examplumab.txt", "--as-published", "--committee", committee.name)
    assert "approved by a committee in this system" in err
    old.refresh_from_db()
    assert old.status == Status.PUBLISHED and old.fact_sheet.revisions.count() == 1


def test_as_published_over_an_imported_live_version_supersedes_it(tmp_path):
    run(FIXTURES / "examplumab.txt", "--as-published", "--committee", "Committee on Patient Education")
    newer = tmp_path / "examplumab.txt"
    newer.write_text(
        (FIXTURES / "examplumab.txt")
        .read_text(encoding="utf-8")
        .replace("Fast Facts", "Fast Facts\n\n- One more fact we added later.", 1),
        encoding="utf-8",
    )
    run(newer, "--as-published", "--committee", "Committee on Patient Education")
    sheet = FactSheet.objects.get(slug="examplumab")
    assert (sheet.live_revision.number, sheet.live_revision.status) == (2, Status.PUBLISHED)
    assert sheet.revisions.get(number=1).status == Status.SUPERSEDED


def test_committee_option_without_as_published_is_refused():
    _, _, message = run_failing(FIXTURES / "examplumab.txt", "--committee", "X")
    assert "--as-published" in message


# Dry run, atomicity, partial failure ----------------------------------------------------------------


def test_dry_run_prints_each_section_and_changes_nothing():
    out, _ = run(
        FIXTURES / "examplumab.txt", "--dry-run", "--as-published", "--committee", "Committee on Patient Education"
    )
    assert "would create a new fact sheet “examplumab” as a published legacy version" in out
    assert "[how_it_works] HOW IT WORKS (line 17" in out
    assert "[other] Travel tips (line 46" in out
    assert "Committee on Patient Education (would be created)" in out
    assert "Dry run: nothing was changed" in out
    assert not FactSheet.objects.exists() and not Committee.objects.exists() and not Section.objects.exists()
    assert not FactSheetRevision.history.exists()


def test_a_bad_file_is_reported_with_name_and_line_and_the_others_still_import(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Binarumab\n\n\x00\x01\x02")
    _, err, message = run_failing(
        FIXTURES / "examplumab.txt",
        FIXTURES / "no-title.txt",
        binary,
        FIXTURES / "empty.txt",
        FIXTURES / "plainumab.txt",
    )
    assert f"{FIXTURES / 'no-title.txt'}, line 1: no title" in err
    assert f"{binary}, line 3: binary data" in err
    assert f"{FIXTURES / 'empty.txt'}: the file is empty" in err
    assert message.startswith("3 files failed")
    assert sorted(FactSheet.objects.values_list("slug", flat=True)) == ["examplumab", "plainumab"]


def test_exit_status_is_non_zero_when_a_file_fails(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "import_factsheets", str(FIXTURES / "no-title.txt"), "--dry-run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        timeout=120,
    )
    assert result.returncode != 0
    assert "no title" in result.stderr


def test_a_failure_while_saving_leaves_nothing_of_that_file(monkeypatch):
    from reviews import services

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "revision_import_published", broken)
    _, err, _ = run_failing(
        FIXTURES / "examplumab.txt", "--as-published", "--committee", "Committee on Patient Education"
    )
    assert "disk on fire" in err
    assert not FactSheet.objects.exists() and not Section.objects.exists() and not Committee.objects.exists()


def test_ten_megabyte_file_fails_with_a_clear_message(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Hugeumab\n\n" + b"x" * (10 * 1024 * 1024))
    _, err, _ = run_failing(huge)
    assert "10.0 MB" in err and "refused" in err


def test_legacy_encoding_fails_clearly_and_imports_with_encoding_option(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Legacyumab\n\nIt’s an old file.\n".encode("cp1252"))
    _, err, _ = run_failing(legacy)
    assert "line 3: not UTF-8 text" in err
    run(legacy, "--encoding", "cp1252")
    assert FactSheetRevision.objects.get().sections.get().body == "It’s an old file."


# The real samples -------------------------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")) if SAMPLES else [], ids=lambda p: p.name)
def test_every_shared_sample_imports_with_its_footer(path):
    run(path, "--as-published")
    revision = FactSheetRevision.objects.get(imported_from=path.name)
    assert revision.title and revision.brand_name_list
    assert len(revision.fast_facts) >= 1
    sections = list(revision.sections.values_list("kind", flat=True))
    assert len(sections) >= 4
    expected = {
        SectionKind.HOW_IT_WORKS,
        SectionKind.TIME_TO_EFFECT,
        SectionKind.SIDE_EFFECTS,
        SectionKind.INTERACTIONS,
        SectionKind.DISCUSS,
    }
    assert len(expected & set(sections)) >= 4
    assert revision.credit_line
    assert revision.updated_on.day == 1
    assert revision.reviewed_by_name


@needs_samples
def test_anakinra_sample_parses_as_printed():
    path = anakinra()
    run(path, "--as-published")
    revision = FactSheetRevision.objects.get(fact_sheet__slug="anakinra")
    assert revision.title == "Anakinra (Kineret)"
    assert revision.brand_name_list == ["Kineret"]
    assert len(revision.fast_facts) == 4
    assert list(revision.sections.values_list("kind", flat=True)) == [
        "overview",
        "how_it_works",
        "dosing",
        "time_to_effect",
        "side_effects",
        "interactions",
        "discuss",
    ]
    assert revision.updated_on == dt.date(2015, 3, 1)
    assert revision.credit_line == "D. Patel, MD, PhD"
    assert revision.reviewed_by_name == "American College of Rheumatology Committee on Communications and Marketing"


@needs_samples
def test_done_when_sample_imported_as_published_shows_updated_march_2015(client):
    path = anakinra()
    CommitteeFactory(name="Committee on Patient Education")  # the demo's committee: a different one
    run(path, "--as-published", "--committee", "Committee on Communications and Marketing")
    response = client.get("/factsheets/anakinra/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Updated March 2015" in html
    assert "reviewed by the Committee on Communications and Marketing" in html
    assert "Anakinra (Kineret)" in html


def test_samples_helper_finds_a_folder_given_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FACTSHEET_SAMPLES_DIR", str(tmp_path))
    assert samples_dir() == tmp_path


def test_copy_of_a_fixture_with_another_name_is_recorded_under_that_name(tmp_path):
    copy = tmp_path / "renamed.txt"
    shutil.copy(FIXTURES / "plainumab.txt", copy)
    run(copy)
    assert FactSheetRevision.history.filter(history_change_reason="Imported from renamed.txt as a draft").exists()


# Layouts of other sites, re-imports, the report -----------------------------------------------------


def test_same_file_twice_is_unchanged_and_creates_no_version():
    run(FIXTURES / "questions.txt")
    out, _ = run(FIXTURES / "questions.txt")
    assert "questions.txt: unchanged: “fendorin” version 1 already says this; nothing created." in out
    assert "Imported 0 of 1 file." in out
    assert FactSheetRevision.objects.count() == 1 and Section.objects.count() == 4


@needs_samples
def test_sample_imported_twice_as_published_is_unchanged():
    path = anakinra()
    run(path, "--as-published")
    out, _ = run(path, "--as-published")
    assert "unchanged" in out
    revision = FactSheetRevision.objects.get()
    assert revision.reviewed_by_name == "American College of Rheumatology Committee on Communications and Marketing"


def test_html_page_of_an_old_site_imports_as_published():
    run(FIXTURES / "site-a-main.html", "--as-published")
    revision = FactSheetRevision.objects.get(fact_sheet__slug="palvexa")
    assert revision.status == Status.PUBLISHED and revision.updated_on == dt.date(2023, 8, 1)
    assert revision.reviewed_by_name == "Committee on Patient Information"
    assert sorted(c.name for c in revision.conditions.all()) == ["Back pain", "Osteoarthritis"]
    assert list(revision.sections.values_list("kind", flat=True)) == ["overview", "dosing", "side_effects"]


def test_unsure_title_fails_with_the_fix_and_imports_with_title_option():
    _, err, message = run_failing(FIXTURES / "unsure-title.txt")
    assert f"{FIXTURES / 'unsure-title.txt'}, line 2: not sure “Patients Resources” is the title" in err
    assert "--title" in err and "unsure-title.txt" in message
    assert not FactSheet.objects.exists()
    run(FIXTURES / "unsure-title.txt", "--title", "Joint Care Today", "--slug", "joint-care")
    assert FactSheetRevision.objects.get(fact_sheet__slug="joint-care").title == "Joint Care Today"


def test_title_option_names_one_file_only():
    with pytest.raises(CommandError, match="one file"):
        run(FIXTURES / "questions.txt", FIXTURES / "truncated.txt", "--title", "X")


def test_report_file_says_per_file_what_happened_and_why(tmp_path):
    report = tmp_path / "out.json"
    run(FIXTURES / "questions.txt")
    run_failing(FIXTURES / "questions.txt", FIXTURES / "truncated.txt", FIXTURES / "no-title.txt", "--report", report)
    files = {entry["file"]: entry for entry in json.loads(report.read_text())["files"]}
    assert files["questions.txt"]["outcome"] == "unchanged"
    truncated = files["truncated.txt"]
    assert (truncated["outcome"], truncated["title"], truncated["slug"], truncated["version"]) == (
        "create",
        "Trivalax",
        "trivalax",
        1,
    )
    assert [s["kind"] for s in truncated["sections"]] == ["overview", "side_effects"]
    assert truncated["updated_on"] == "2019-01-01" and truncated["committee"] == "Committee on Patient Information"
    assert any("ends without punctuation" in w for w in truncated["warnings"])
    assert files["no-title.txt"]["outcome"] == "refused" and "no title" in files["no-title.txt"]["error"]


def test_dry_run_report_warns_of_far_fewer_sections_than_the_live_version(tmp_path):
    run(FIXTURES / "questions.txt", "--as-published")
    shorter = tmp_path / "fendorin.txt"
    shorter.write_text("Fendorin (Fendora)\n\nFendorin is a made-up capsule, now described in one line.\n")
    out, _ = run(shorter, "--dry-run", "--report", tmp_path / "r.json")
    assert "only 1 sections where the live version 1 has 4" in out
    assert json.loads((tmp_path / "r.json").read_text())["dry_run"] is True
    assert FactSheetRevision.objects.count() == 1


def test_a_database_clash_is_reported_plainly_and_saves_nothing(monkeypatch):
    from reviews.management.commands import import_factsheets as command

    original = command.plan_import

    def racing(parsed, **kwargs):  # another process takes the slug between planning and writing
        plan = original(parsed, **kwargs)
        FactSheet.objects.create(slug=parsed.slug)
        return plan

    monkeypatch.setattr(command, "plan_import", racing)
    _, err, _ = run_failing(FIXTURES / "truncated.txt")
    assert "truncated.txt: the database refused it (a fact sheet or condition with this web address (slug)" in err
    assert "IntegrityError" not in err
    assert not FactSheetRevision.objects.exists() and not Section.objects.exists()
