"""Import and export carry the edition: an exported file states its language (and a translation the English version
it translates); a Spanish file imports as the next Spanish draft of the existing sheet, translating its live English
version, and is refused when there is nothing to translate or the language is not one we publish."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from factsheets.importing import ImportParseError, parse_bytes, parse_markdown
from factsheets.importing.export import markdown_round_trips
from factsheets.models import FactSheet, FactSheetRevision
from reviews.importing import ImportRefused, plan_import
from tests.factories import (
    SPANISH_TEXT,
    FactSheetFactory,
    make_draft,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(author, reviewer1, reviewer2, committee):
    return make_published(
        author=author, reviewers=[reviewer1, reviewer2], committee=committee, fact_sheet=FactSheetFactory(slug="exa")
    )


@pytest.fixture
def translators(reviewer1, reviewer2, reviewer3):
    return make_translation_committee(reviewer1, reviewer2, reviewer3)


@pytest.fixture
def spanish(english, author, reviewer1, reviewer2, translators):
    return make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )


def export(outdir, *options):
    out, err = StringIO(), StringIO()
    call_command("export_factsheets", str(outdir), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_files(*paths, **options):
    out, err = StringIO(), StringIO()
    args = [str(p) for p in paths] + [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    try:
        call_command("import_factsheets", *args, stdout=out, stderr=err)
    except CommandError:
        return out.getvalue(), err.getvalue(), False
    return out.getvalue(), err.getvalue(), True


# Export ------------------------------------------------------------------------------------------


def test_english_export_states_its_language(english, tmp_path):
    export(tmp_path)
    text = (tmp_path / "exa.md").read_text(encoding="utf-8")
    assert "\nlanguage: en\n" in text and "translates_version" not in text
    assert parse_markdown(text).language == "en"


def test_spanish_export_states_language_and_the_english_version_translated(spanish, tmp_path):
    out, err = export(tmp_path, "--language", "es")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exa.es.md"]
    assert "Exported 1 fact sheet" in out and "Spanish edition" in out and err == ""
    text = (tmp_path / "exa.es.md").read_text(encoding="utf-8")
    assert "\nlanguage: es\ntranslates_version: 1\n" in text
    assert SPANISH_TEXT["summary"] in text
    parsed = parse_markdown(text)
    assert (parsed.language, parsed.translates_version) == ("es", 1)
    assert markdown_round_trips(spanish, text)


def test_spanish_json_export_is_the_spanish_api_detail(spanish, tmp_path):
    export(tmp_path, "--language", "es", "--format", "json")
    data = json.loads((tmp_path / "exa.es.json").read_text(encoding="utf-8"))
    assert data["language"] == "es" and data["content_hash"] == spanish.content_hash
    assert data["translation_of"]["version"] == 1 and data["translation_of"]["current"] is True
    assert [e["language"] for e in data["editions"]] == ["en", "es"]
    assert data["url"].endswith("/es/factsheets/exa/")


def test_spanish_export_skips_sheets_without_a_spanish_edition_and_drafts(english, author, tmp_path):
    make_translation(author=author, english=english)  # a draft: never exported
    out, _ = export(tmp_path, "--language", "es")
    assert list(tmp_path.iterdir()) == [] and "Exported 0 fact sheets" in out


# Import ------------------------------------------------------------------------------------------


def test_spanish_export_imported_again_is_unchanged(spanish, tmp_path):
    export(tmp_path, "--language", "es")
    out, err, ok = import_files(tmp_path / "exa.es.md")
    assert ok, err
    assert "unchanged" in out
    assert FactSheetRevision.objects.filter(language="es").count() == 1


def test_an_edited_spanish_file_becomes_the_next_spanish_draft_translating_the_live_english(
    spanish, english, tmp_path, author
):
    export(tmp_path, "--language", "es")
    path = tmp_path / "exa.es.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Avise a su médico", "Llame a su médico"))
    out, err, ok = import_files(path, user=author.username)
    assert ok, err
    draft = FactSheetRevision.objects.get(language="es", number=2)
    assert draft.status == FactSheetRevision.Status.DRAFT and draft.translation_of_id == english.pk
    assert draft.fast_facts[1].startswith("Llame a su médico")
    assert draft.created_by == author
    assert "Spanish translation of English version 1" in out
    # Only the text changed: everything else came through the file unchanged.
    words = lambda r: {k: v for k, v in r.canonical_content().items() if k != "fast_facts"}  # noqa: E731
    assert words(draft) == words(spanish)


def test_a_spanish_file_for_an_older_english_version_is_imported_against_the_live_one_with_a_note(
    spanish, english, tmp_path, author, reviewer1, reviewer2, committee
):
    export(tmp_path, "--language", "es")
    v2 = make_draft(author=author, fact_sheet=english.fact_sheet, number=2, title="Examplumab (Examplex) v2")
    from reviews import services

    review = services.revision_submit(revision=v2, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    path = tmp_path / "exa.es.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Avise", "Llame"))
    out, err, ok = import_files(path)
    assert ok, err
    draft = FactSheetRevision.objects.get(language="es", number=2)
    assert draft.translation_of.number == 2
    assert "the file translates English version 1; the draft translates the live English version 2" in out


def test_a_first_spanish_translation_can_be_imported_from_a_written_file(english, tmp_path):
    path = tmp_path / "exa-es.md"
    path.write_text(
        "---\nslug: exa\nlanguage: Español\ntitle: Examplumab (Examplex)\n---\n\n# Examplumab (Examplex)\n\n"
        "## Cómo actúa {#how_it_works}\n\nFrena una señal que causa hinchazón.\n",
        encoding="utf-8",
    )
    _, err, ok = import_files(path)
    assert ok, err
    draft = FactSheetRevision.objects.get(language="es")
    assert (draft.number, draft.translation_of_id, draft.status) == (1, english.pk, "draft")
    assert draft.codes() == english.codes()  # the same drug: the English version's codes


def test_a_spanish_line_in_a_plain_text_file_makes_it_a_translation(english):
    text = "Examplumab (Examplex)\nLanguage: es\nTranslates version: 1\n\nFrena una señal que causa hinchazón.\n"
    parsed = parse_bytes(text.encode(), name="exa.txt", slug="exa")
    assert (parsed.language, parsed.translates_version) == ("es", 1)
    plan = plan_import(parsed, source="exa.txt", as_published=False)
    assert plan.translation_of == english and plan.number == 1


SPANISH_PAGE = (
    '<!doctype html><html lang="{lang}"><head><title>Examplumab</title></head><body><main>'
    "<h1>Examplumab (Examplex)</h1><h2>Cómo actúa</h2><p>Frena una señal que causa hinchazón.</p></main></body></html>"
)


@pytest.mark.parametrize("lang", ["es", "es-MX", "ES"])
def test_a_saved_web_page_in_spanish_imports_as_a_translation(english, lang):
    parsed = parse_bytes(SPANISH_PAGE.format(lang=lang).encode(), name="exa.html", slug="exa")
    assert parsed.language == "es"
    plan = plan_import(parsed, source="exa.html", as_published=False)
    assert plan.translation_of == english and plan.number == 1


def test_a_saved_web_page_without_lang_or_in_english_is_english(english):
    for page in (SPANISH_PAGE.replace(' lang="{lang}"', ""), SPANISH_PAGE.format(lang="en-GB")):
        assert parse_bytes(page.encode(), name="exa.html", slug="exa").language == "en"


def test_a_saved_web_page_in_a_language_we_do_not_publish_is_refused(english):
    with pytest.raises(ImportParseError, match="not one fact sheets are published in"):
        parse_bytes(SPANISH_PAGE.format(lang="fr").encode(), name="exa.html", slug="exa")


# Refusals ----------------------------------------------------------------------------------------


def spanish_file(tmp_path, slug="exa", extra=""):
    path = tmp_path / f"{slug}.es.md"
    path.write_text(
        f"---\nslug: {slug}\nlanguage: es\n{extra}title: Examplumab (Examplex)\n---\n\n"
        "## Cómo actúa {#how_it_works}\n\nFrena una señal.\n",
        encoding="utf-8",
    )
    return path


def test_a_spanish_file_for_a_sheet_that_does_not_exist_is_refused(db, tmp_path):
    _, err, ok = import_files(spanish_file(tmp_path, slug="nothing"))
    assert not ok and "there is no fact sheet “nothing” to translate" in err
    assert not FactSheet.objects.exists()


def test_a_spanish_file_for_a_sheet_without_a_live_english_version_is_refused(author, tmp_path):
    make_draft(author=author, fact_sheet=FactSheetFactory(slug="unpublished"))
    _, err, ok = import_files(spanish_file(tmp_path, slug="unpublished"))
    assert not ok and "has no live English version to translate" in err
    assert not FactSheetRevision.objects.filter(language="es").exists()


def test_a_spanish_file_for_a_withdrawn_sheet_is_refused(english, editor, tmp_path):
    from reviews import services

    services.factsheet_withdraw(fact_sheet=english.fact_sheet, by=editor, reason="Off the market.")
    _, err, ok = import_files(spanish_file(tmp_path))
    assert not ok and "no live English version to translate (it is withdrawn)" in err


def test_a_spanish_file_is_never_imported_as_published(english, tmp_path):
    path = spanish_file(tmp_path)
    with pytest.raises(ImportRefused, match="imported as a draft, to be signed by the translation reviewers"):
        plan_import(parse_markdown(path.read_text()), source=path.name, as_published=True)
    _, err, ok = import_files(path, "--as-published", "--committee=Anyone")
    assert not ok and "without --as-published" in err
    assert not FactSheetRevision.objects.filter(language="es").exists()


def test_a_second_spanish_draft_is_refused_while_one_is_pending(english, author, tmp_path):
    make_translation(author=author, english=english)
    _, err, ok = import_files(spanish_file(tmp_path))
    assert not ok and "already has Spanish version 1 (draft)" in err
    assert FactSheetRevision.objects.filter(language="es").count() == 1


@pytest.mark.parametrize("value", ["fr", "xx", "Klingon", '""', "x" * 300])
def test_a_language_that_is_not_enabled_is_refused_with_its_line(english, tmp_path, value):
    path = tmp_path / "exa.md"
    path.write_text(f"---\nslug: exa\nlanguage: {value}\ntitle: Examplumab\n---\n\n## Dosing\n\nText.\n")
    with pytest.raises(ImportParseError, match=r"is not one fact sheets are published in: en \(English\), es"):
        parse_markdown(path.read_text())
    _, err, ok = import_files(path)
    assert not ok and "line 3" in err
    assert FactSheetRevision.objects.count() == 1


@pytest.mark.parametrize("extra", ["translates_version: 0\n", "translates_version: two\n", "translates_version: ²\n"])
def test_a_malformed_translated_version_is_refused(english, tmp_path, extra):
    with pytest.raises(ImportParseError, match="translates_version"):
        parse_markdown(spanish_file(tmp_path, extra=extra).read_text())


def test_an_english_file_cannot_say_it_translates(english, tmp_path):
    text = "---\nslug: exa\ntranslates_version: 1\ntitle: Examplumab\n---\n\n## Dosing\n\nText.\n"
    with pytest.raises(ImportParseError, match="only for a translation"):
        parse_markdown(text)
