"""A Spanish edition in the record and the review calendar: it falls due like an English version, is never
reaffirmed unchanged once its English source moved on, is never published as imported, and the record names
its language wherever it names its number."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from factsheets.models import FactSheetRevision
from reviews import services
from reviews.dashboard import dashboard_for
from reviews.errors import TransitionNotAllowed
from reviews.models import Review
from tests.factories import make_published_translation, make_translation
from tests.record_guards import guards_lifted
from tests.reviews import test_editions
from tests.reviews.test_editions import publish_new_english
from tests.reviews.test_record import run_verify

english, translators = test_editions.english, test_editions.translators


@pytest.fixture
def spanish(english, author, reviewer1, reviewer2, translators):
    return make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )


def test_an_overdue_spanish_edition_is_on_the_editors_dashboard_with_its_reaffirmation(editor, spanish):
    FactSheetRevision.objects.filter(pk=spanish.pk).update(next_review_due=dt.date(2020, 1, 1))
    overdue = dashboard_for(editor)["overdue"]
    assert [task.obj for task in overdue] == [spanish]
    assert overdue[0].title.endswith("Spanish version 1")
    assert overdue[0].action_url == reverse("reviews:reaffirm", args=[spanish.fact_sheet_id]) + "?language=es"


def test_the_admin_overdue_filter_counts_a_spanish_edition_past_its_date(client, author, spanish):
    FactSheetRevision.objects.filter(pk=spanish.pk).update(next_review_due=dt.date(2020, 1, 1))
    client.force_login(author)
    url = reverse("admin:factsheets_factsheet_changelist")
    assert list(client.get(url, {"overdue": "yes"}).context["cl"].result_list) == [spanish.fact_sheet]
    assert client.get(url, {"overdue": "no"}).context["cl"].result_count == 0


def test_a_stale_translation_cannot_be_reaffirmed_unchanged(
    editor, author, reviewer1, reviewer2, committee, translators, spanish
):
    english = spanish.translation_of
    publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    reviewed_on = FactSheetRevision.objects.get(pk=spanish.pk).last_reviewed_on

    with pytest.raises(TransitionNotAllowed, match="translates English version 1, and English version 2 is live"):
        services.review_start_reaffirmation(
            fact_sheet=spanish.fact_sheet, by=editor, committee=translators, language="es"
        )
    assert not Review.objects.filter(revision=spanish, kind=Review.Kind.REAFFIRMATION).exists()
    assert FactSheetRevision.objects.get(pk=spanish.pk).last_reviewed_on == reviewed_on


def test_a_current_translation_can_still_be_reaffirmed(editor, translators, spanish):
    review = services.review_start_reaffirmation(
        fact_sheet=spanish.fact_sheet, by=editor, committee=translators, language="es"
    )
    assert review.revision == spanish and review.kind == Review.Kind.REAFFIRMATION


def test_a_translation_is_never_published_as_imported(english, author, translators):
    draft = make_translation(author=author, english=english)
    with pytest.raises(TransitionNotAllowed, match="never published as imported"):
        services.revision_import_published(
            revision=draft, committee=translators, updated_on=dt.date(2024, 1, 1), source="old-site/es.html"
        )
    draft.refresh_from_db()
    english.refresh_from_db()
    assert (draft.status, english.status) == ("draft", "published")
    assert english.fact_sheet.live_revision_id == english.pk


def test_verify_record_names_the_edition_of_each_version(spanish):
    ok, out, _ = run_verify()
    assert ok, out
    slug = spanish.fact_sheet.slug
    assert f"OK {slug} version 1:" in out and f"OK {slug} Spanish version 1:" in out
    with guards_lifted():  # as someone who can disable the database's triggers
        FactSheetRevision.objects.filter(pk=spanish.pk).update(title="Cambiado")
    ok, out, _ = run_verify()
    assert not ok and f"MISMATCH {slug} Spanish version 1 [content]" in out
    assert f"MISMATCH {slug} version 1 " not in out
    stream = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_record", "--json", stdout=stream)
    problems = json.loads(stream.getvalue())["problems"]
    assert {(p["version"], p["language"]) for p in problems} == {(1, "es")}
