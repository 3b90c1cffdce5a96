"""Signed is served: every word an anonymous reader gets is exactly what the committee signed.

Names and "used for" conditions are version content; each submission stores one rendition (page body and
API document) that reviewers sign and patients are served as stored; `verify_record` finds any change.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from factsheets.public import rendition as renditions
from factsheets.models import Condition, FactSheetRevision, Rendition, RevisionLocked, Section
from factsheets.content.services import revision_start_draft
from reviews import chain, services
from tests.factories import PASSWORD, FactSheetFactory, make_draft, make_published, make_user
from tests.record_guards import guards_lifted

pytestmark = pytest.mark.django_db


def sheet_body_of(html: str) -> str:
    """The sheet body of a page: what is inside the sheet-body div, which the sheet footer follows."""
    marker = '<div class="sheet-body">'
    start = html.index(marker) + len(marker)
    region = html[start : html.index('<footer class="sheet-footer">', start)].rstrip()
    assert region.endswith("</div>")
    return region[: -len("</div>")]


@pytest.fixture
def gout(db):
    return Condition.objects.create(name="Gout", slug="gout")


@pytest.fixture
def live(author, reviewer1, reviewer2, committee, gout, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="methotrexample"),
            conditions=[gout],
            generic_name="methotrexample",
            brand_names="Trexample, Otrexample",
            title="Methotrexample (Trexample)",
            fast_facts=["Take it once a week, on the same day each week."],
        )
    revision.refresh_from_db()
    return revision


def public_state(client) -> dict:
    """Everything an anonymous reader can get about the sheet: page, version page, API detail, search."""
    return {
        "page": client.get("/factsheets/methotrexample/").content.decode(),
        "version": client.get("/factsheets/methotrexample/versions/1/").content.decode(),
        "api": client.get("/api/v1/factsheets/methotrexample/").json(),
        "search": client.get("/search/?q=daily").content.decode(),
    }


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# Names are version content ------------------------------------------------------------------------


def test_names_and_conditions_are_part_of_the_signed_hash(live):
    changed = FactSheetRevision.objects.get(pk=live.pk)
    for field, value in [("generic_name", "methotrexample daily"), ("brand_names", "Trexample, TAKE DAILY")]:
        original = getattr(changed, field)
        setattr(changed, field, value)
        assert changed.compute_content_hash() != live.content_hash, field
        setattr(changed, field, original)
    changed.conditions_as_signed = [{"slug": "gout", "name": "Gout (take daily)"}]
    assert changed.compute_content_hash() != live.content_hash


def test_live_page_and_api_show_the_names_as_signed(client, live):
    page = client.get("/factsheets/methotrexample/").content.decode()
    assert "Trexample, Otrexample" in page and "methotrexample" in page
    assert '<a href="/conditions/gout/">Gout</a>' in page
    body = client.get("/api/v1/factsheets/methotrexample/").json()
    assert body["brand_names"] == ["Trexample", "Otrexample"]
    assert body["conditions"] == [{"slug": "gout", "name": "Gout"}]
    assert body["rendition_hash"] == live.rendition.rendition_hash


@pytest.mark.parametrize("role", ["author", "editor", "admin"])
def test_no_admin_screen_changes_what_patients_read_of_a_live_sheet(client, live, gout, role, author, editor):
    """Every patient-visible field, through every admin screen that shows it, as each role."""
    users = {"author": author, "editor": editor, "admin": make_user("boss", is_superuser=True)}
    before = public_state(Client())
    staff = Client()
    staff.force_login(users[role])
    sheet = live.fact_sheet
    staff.post(
        f"/admin/factsheets/factsheet/{sheet.pk}/change/",
        {
            "slug": "renamed",
            "generic_name": "methotrexample (take daily)",
            "brand_names": "Trexample, TAKE DAILY NOT WEEKLY",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    staff.post(
        f"/admin/factsheets/factsheetrevision/{live.pk}/change/",
        {
            "title": "Methotrexample: take daily",
            "generic_name": "methotrexample (take daily)",
            "brand_names": "Trexample, TAKE DAILY NOT WEEKLY",
            "summary": "Take it daily.",
            "fast_facts": "Take it daily.",
            "credit_line": "Someone else",
            "change_note": "",
            "conditions": [],
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
        },
    )
    staff.post(f"/admin/factsheets/condition/{gout.pk}/change/", {"name": "Gout: take it daily", "slug": "gout"})
    after = public_state(Client())
    assert after["api"] == before["api"]
    assert sheet_body_of(after["page"]) == sheet_body_of(before["page"])
    assert sheet_body_of(after["version"]) == sheet_body_of(before["version"])
    assert "DAILY" not in after["page"] and "daily" not in after["page"].lower().replace("take it once a week", "")
    assert "methotrexample" not in after["search"]
    live.refresh_from_db()
    assert live.content_hash == before["api"]["content_hash"]


def test_a_condition_renamed_later_keeps_its_signed_name_on_the_sheet(client, live, gout):
    gout.name = "Gouty arthritis"
    gout.save()
    assert client.get("/api/v1/factsheets/methotrexample/").json()["conditions"] == [{"slug": "gout", "name": "Gout"}]
    assert ">Gout</a>" in client.get("/factsheets/methotrexample/").content.decode()


def test_changing_the_names_of_a_live_sheet_takes_a_new_version_through_review(
    client, live, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    assert (draft.generic_name, draft.brand_names) == (live.generic_name, live.brand_names)
    assert list(draft.conditions.values_list("slug", flat=True)) == ["gout"]
    draft.brand_names = "Trexample"
    draft._history_user = author
    draft.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    assert client.get("/api/v1/factsheets/methotrexample/").json()["brand_names"] == ["Trexample", "Otrexample"]
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    assert client.get("/api/v1/factsheets/methotrexample/").json()["brand_names"] == ["Trexample"]


def test_the_conditions_of_a_submitted_version_cannot_change(live, gout):
    other = Condition.objects.create(name="Lupus", slug="lupus")
    for change in (lambda: live.conditions.add(other), lambda: live.conditions.remove(gout), gout.revisions.clear):
        with pytest.raises(RevisionLocked), transaction.atomic():
            change()
    assert list(live.conditions.all()) == [gout]


def test_a_signed_condition_cannot_be_deleted_or_readdressed_in_the_admin(client, live, gout, editor):
    client.force_login(make_user("boss", is_superuser=True))
    page = client.get(f"/admin/factsheets/condition/{gout.pk}/change/").content.decode()
    assert 'name="slug"' not in page
    assert client.get(f"/admin/factsheets/condition/{gout.pk}/delete/").status_code == 403


# One rendition, made once, served as stored -------------------------------------------------------


def test_submission_stores_one_rendition_that_reviews_and_sign_offs_name(live):
    rendition = live.rendition
    assert rendition.compute_rendition_hash() == rendition.rendition_hash
    review = live.reviews.get()
    assert review.rendition_id == rendition.pk
    assert {d.rendition_hash for d in review.decisions.all()} == {rendition.rendition_hash}
    assert json.loads(rendition.document)["content_hash"] == live.content_hash
    assert rendition.reading_flesch_kincaid is not None


def test_a_resubmission_after_changes_gets_a_new_rendition_and_keeps_the_old_one(author, reviewer1, committee):
    draft = make_draft(author=author)
    first = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    services.review_sign(
        review=first, by=reviewer1, verdict="request_changes", comment="Say once a week.", password=PASSWORD
    )
    draft.refresh_from_db()
    draft.fast_facts = ["Take it once a week."]
    draft._history_user = author
    draft.save()
    second = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    assert first.rendition_id != second.rendition_id
    assert Rendition.objects.filter(revision=draft).count() == 2
    assert "Take it once a week." in second.rendition.body_html
    assert "Take it once a week." not in first.rendition.body_html


def test_a_later_template_or_renderer_change_does_not_change_a_signed_sheet(client, live, monkeypatch):
    before = client.get("/factsheets/methotrexample/").content.decode()
    api_before = client.get("/api/v1/factsheets/methotrexample/").json()
    monkeypatch.setattr("factsheets.content.markdown.render_markdown", lambda source: "<p>take it daily</p>")
    monkeypatch.setattr(renditions, "render_markdown", lambda source: "<p>take it daily</p>")
    from django.core.cache import cache

    cache.clear()
    after = client.get("/factsheets/methotrexample/").content.decode()
    assert sheet_body_of(after) == sheet_body_of(before)
    assert client.get("/api/v1/factsheets/methotrexample/").json() == api_before
    assert "take it daily" not in after


def test_a_rendition_is_never_changed_or_deleted_by_the_model(live):
    rendition = live.rendition
    rendition.body_html = "<h1>Take it daily</h1>"
    with pytest.raises(RevisionLocked):
        rendition.save()
    with pytest.raises(RevisionLocked):
        rendition.delete()


def test_the_reviewers_patient_view_is_byte_identical_to_the_public_page(
    client, author, reviewer1, reviewer2, committee, gout, django_capture_on_commit_callbacks
):
    draft = make_draft(author=author, fact_sheet=FactSheetFactory(slug="methotrexample"), conditions=[gout])
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    staff = Client()
    staff.force_login(reviewer1)
    reviewed = sheet_body_of(staff.get(reverse("reviews:review", args=[review.pk])).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    public = sheet_body_of(client.get("/factsheets/methotrexample/").content.decode())
    assert public == reviewed
    assert review.rendition.body_html in public


def test_the_preview_of_a_submitted_version_is_its_rendition(client, author, committee):
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    client.force_login(author)
    page = client.get(reverse("factsheets:preview", args=[draft.pk])).content.decode()
    assert review.rendition.body_html in page


@pytest.mark.parametrize(
    "url",
    [
        "/factsheets/methotrexample/",
        "/factsheets/methotrexample/versions/1/",
        "/api/v1/factsheets/methotrexample/",
        "/api/v1/factsheets/methotrexample/versions/1/",
    ],
)
def test_a_cold_sheet_page_or_api_detail_costs_at_most_two_queries(client, live, url, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200


# verify_record checks what patients get -----------------------------------------------------------


def run_verify(*args):
    out = io.StringIO()
    try:
        call_command("verify_record", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def _update(table_model, pk, **values):
    """A change made directly in the database, below the model's guards and with the database's own record
    guards switched off (as someone with the database owner's powers could)."""
    with guards_lifted():
        table_model.objects.filter(pk=pk).update(**values)


@pytest.mark.parametrize(
    "tamper,field",
    [
        (
            lambda r: _update(
                Rendition, r.rendition_id, body_html=r.rendition.body_html.replace("once a week", "daily")
            ),
            "rendition",
        ),
        (lambda r: _update(Section, r.sections.first().pk, body="Take it daily."), "content"),
        (lambda r: _update(Section, r.sections.first().pk, body_html="<p>Take it daily.</p>"), "section 1 body_html"),
        (lambda r: _update(FactSheetRevision, r.pk, brand_names="Trexample, TAKE DAILY"), "brand_names"),
        (lambda r: _update(FactSheetRevision, r.pk, generic_name="methotrexample daily"), "generic_name"),
        (lambda r: _update(FactSheetRevision, r.pk, fast_facts=["Take it daily."]), "fast_facts"),
        (lambda r: _update(FactSheetRevision, r.pk, title="Take it daily"), "title"),
        (
            lambda r: _update(FactSheetRevision, r.pk, conditions_as_signed=[{"slug": "gout", "name": "Daily gout"}]),
            "conditions",
        ),
    ],
)
def test_verify_record_finds_a_change_made_in_the_database(live, tamper, field):
    ok, _ = run_verify()
    assert ok
    try:
        tamper(live)
    except DatabaseError:
        return  # refused by the database's own guard: the other acceptable outcome
    ok, out = run_verify()
    assert not ok
    assert f"MISMATCH methotrexample version 1 [{field}]" in out


def test_verify_record_json_names_sheet_version_and_field(live):
    _update(FactSheetRevision, live.pk, brand_names="Trexample, TAKE DAILY")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_record", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert {
        "sheet": "methotrexample",
        "version": 1,
        "field": "brand_names",
        "message": "brand_names differs from the signed rendition",
        "language": "en",
    } in report["problems"]
    assert report["checked"] == 1


def test_old_sign_offs_still_verify_under_their_canonical_form(live):
    """A version hashed before names were content (form 1) keeps its hash and verifies."""
    v1_hash = live.compute_content_hash(version=1)
    _update(FactSheetRevision, live.pk, hash_version=1, content_hash=v1_hash)
    from reviews.models import Decision, Review

    with guards_lifted():
        Review.objects.filter(revision=live).update(content_hash=v1_hash)
        Decision.objects.filter(review__revision=live).update(content_hash=v1_hash)
        # Chained as they would have been when signed.
        decisions = chain.link(list(Decision.objects.select_related("reviewer").order_by("sequence")))
        Decision.objects.bulk_update(decisions, ["previous_hash", "chain_hash"])
    ok, out = run_verify()
    assert ok, out


# Trust signals ------------------------------------------------------------------------------------


def test_sheet_page_shows_reviewed_date_version_next_review_and_print_footer(client, live):
    page = client.get("/factsheets/methotrexample/").content.decode()
    reviewed = f"{live.last_reviewed_on.day} {live.last_reviewed_on:%B %Y}"
    assert f"Last reviewed {reviewed} by the {live.reviewed_by_name}." in page
    assert (
        f"Updated {live.updated_on:%B %Y} by {live.credit_line}, and reviewed by the {live.reviewed_by_name}." in page
    )
    assert "Version 1." in page
    assert f"Next review due {live.next_review_due:%B %Y}." in page
    assert "Printed from http" in page and "/factsheets/methotrexample/ &middot; Version 1" in page
    assert "data-print-date" in page and "js/print-date.js" in page


def test_an_older_version_has_no_next_review_date(
    client, live, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    # With the publish's work after its commit, as always outside a test's transaction: the first publish built
    # (and cached) version 1's page, which this one renews.
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    old = client.get("/factsheets/methotrexample/versions/1/").content.decode()
    assert "Next review due" not in old and "This is an older version" in old


def test_a_reaffirmation_shows_on_the_page(
    client, live, editor, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    import datetime as dt

    import time_machine

    with (
        time_machine.travel(dt.datetime(2031, 5, 4, 12, tzinfo=dt.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        review = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    page = client.get("/factsheets/methotrexample/").content.decode()
    assert "Last reviewed 4 May 2031" in page and "Version 1." in page


def test_versions_page_shows_what_changed_word_by_word(
    client, live, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    draft.fast_facts = ["Take it once a week, on Sundays."]
    draft.brand_names = "Trexample"
    draft._history_user = author
    draft.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    page = client.get("/factsheets/methotrexample/versions/").content.decode()
    diff = page[page.index('<details class="version-diff">') : page.index("</details>")]
    assert "against version 1" in diff
    assert "Take it once a week, on <del>the same day each week.</del><ins>Sundays.</ins>" in diff
    assert (
        '<h2 class="diff-label">Brand names</h2>' in diff
        and "<del>Trexample, Otrexample</del><ins>Trexample</ins>" in diff
    )
