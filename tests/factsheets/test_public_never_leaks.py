"""Nothing unapproved is reachable anonymously: every public URL, English and Spanish (/es/...), with sheets and
their Spanish editions in every workflow state."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from factsheets.models import Condition, FactSheetRevision, Section
from reviews import services
from tests.factories import (
    PASSWORD,
    SPANISH_TEXT,
    FactSheetFactory,
    make_draft,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)

Status = FactSheetRevision.Status


def secret_revision(*, author, sheet, number, marker, conditions=()):
    """A draft whose every patient-facing field carries `marker`, so any leak is easy to spot."""
    revision = make_draft(
        author=author,
        fact_sheet=sheet,
        number=number,
        title=f"Title {marker}",
        summary=f"Summary {marker}.",
        generic_name=f"{marker}generic",
        brand_names=f"{marker}brand",
        conditions=conditions,
        fast_facts=[f"Fact {marker}."],
        change_note=f"Change {marker}.",
    )
    section = Section(revision=revision, position=9, heading=f"Heading {marker}", body=f"Body {marker} text.")
    section._history_user = author
    section.save()
    return revision


def secret_translation(*, author, english, marker):
    """A draft Spanish version whose every patient-facing field carries `marker`."""
    text = {
        "title": f"Título {marker}",
        "summary": f"Resumen {marker}.",
        "fast_facts": [f"Dato {marker}."],
        "sections": [("how_it_works", f"Encabezado {marker}", f"Texto {marker} del cuerpo.")],
    }
    return make_translation(author=author, english=english, text=text)


def submit(revision, author, committee):
    # Marker words score above the reading target, so the reading-level gate needs a justification.
    return services.revision_submit(revision=revision, by=author, committee=committee, justification="Test markers.")


@pytest.fixture
def world(author, reviewer1, reviewer2, editor, committee):
    """Sheets in every state. Returns (public markers, secret markers, unapproved revisions, sheets)."""
    condition = Condition.objects.create(name="Example arthritis", slug="example-arthritis")
    unapproved = []

    def sheet(slug):
        return FactSheetFactory(slug=slug)

    # Never published: the names and conditions of the unapproved versions are secret too.
    def secret(slug, number=1, s=None):
        return secret_revision(
            author=author, sheet=s or sheet(slug), number=number, marker=slug, conditions=[condition]
        )

    unapproved.append(secret("zqdraftonly"))
    in_review = secret("zqinreview")
    submit(in_review, author, committee)
    unapproved.append(in_review)
    changes = secret("zqchanges")
    review = submit(changes, author, committee)
    services.review_sign(review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Simpler.")
    unapproved.append(changes)
    scheduled = secret("zqscheduled")
    scheduled.publish_at = timezone.now() + dt.timedelta(days=7)
    scheduled.save()
    review = submit(scheduled, author, committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    unapproved.append(scheduled)

    # Live sheets with a newer unapproved version: draft, in review, approved for later.
    live_sheets = []
    for marker, state in [("zqnewdraft", "draft"), ("zqnewreview", "review"), ("zqnewscheduled", "scheduled")]:
        s = sheet(f"live-{state}")
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=s,
            title=f"Published {state} sheet",
            summary=f"Approved summary {state}.",
            brand_names="",
            conditions=[condition],
        )
        newer = secret(marker, number=2, s=s)
        if state == "scheduled":
            newer.publish_at = timezone.now() + dt.timedelta(days=7)
            newer.save()
        if state != "draft":
            review = submit(newer, author, committee)
        if state == "scheduled":
            for reviewer in (reviewer1, reviewer2):
                services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
        unapproved.append(newer)
        live_sheets.append(s)

    # Withdrawn: its approved text must leave every list, and its pages answer 410.
    withdrawn = sheet("zqwithdrawn")
    make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=withdrawn,
        title="Title zqwithdrawn",
        summary="Summary zqwithdrawn.",
        brand_names="",
        conditions=[condition],
    )
    services.factsheet_withdraw(fact_sheet=withdrawn, by=editor, reason="Taken off the market.")

    # Spanish editions: a first translation in each unapproved state on the live sheets above, and a live
    # translation with a newer version sent back for changes.
    translators = make_translation_committee(
        reviewer1, reviewer2, *committee.members.exclude(pk__in=[reviewer1.pk, reviewer2.pk])
    )
    english = {s.slug: FactSheetRevision.objects.live().get(fact_sheet=s) for s in live_sheets}
    unapproved_es = [secret_translation(author=author, english=english["live-draft"], marker="zqesdraft")]
    in_review_es = secret_translation(author=author, english=english["live-review"], marker="zqesreview")
    submit(in_review_es, author, translators)
    scheduled_es = secret_translation(author=author, english=english["live-scheduled"], marker="zqesscheduled")
    scheduled_es.publish_at = timezone.now() + dt.timedelta(days=7)
    scheduled_es.save()
    review = submit(scheduled_es, author, translators)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    translated = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=sheet("live-translated"),
        title="Translated sheet",
        summary="Approved summary translated.",
        brand_names="",
        conditions=[condition],
    )
    make_published_translation(
        author=author,
        english=translated,
        reviewers=[reviewer1, reviewer2],
        committee=translators,
        text={**SPANISH_TEXT, "title": "Hoja traducida", "summary": "Resumen aprobado en español."},
    )
    changes_es = secret_translation(author=author, english=translated, marker="zqeschanges")
    review = submit(changes_es, author, translators)
    services.review_sign(review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Simpler.")
    unapproved_es += [in_review_es, scheduled_es, changes_es]
    es_statuses = sorted({r.status for r in FactSheetRevision.objects.filter(pk__in=[u.pk for u in unapproved_es])})
    assert es_statuses == sorted([Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED])

    statuses = sorted({r.status for r in FactSheetRevision.objects.filter(pk__in=[u.pk for u in unapproved])})
    assert statuses == sorted([Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED])
    secrets = ["zqdraftonly", "zqinreview", "zqchanges", "zqscheduled", "zqnewdraft", "zqnewreview", "zqnewscheduled"]
    secrets += ["zqesdraft", "zqesreview", "zqesscheduled", "zqeschanges"]
    return {
        "secrets": secrets,
        "unapproved": unapproved,
        "unapproved_es": unapproved_es,
        "translated": translated.fact_sheet,
        "live": live_sheets,
        "withdrawn": withdrawn,
        "condition": condition,
    }


def public_urls(world):
    slugs = [r.fact_sheet.slug for r in world["unapproved"]] + [world["withdrawn"].slug]
    urls = [
        "/",
        "/?letter=Z",
        "/?letter=T",
        "/?letter=P",
        f"/conditions/{world['condition'].slug}/",
        "/feed/",
        "/sitemap.xml",
        "/sitemaps/factsheets-1.xml",
        "/robots.txt",
    ]
    for q in world["secrets"] + ["zqwithdrawn", "title", "summary", "body", "heading", "fact", "change", "published"]:
        urls.append(f"/search/?q={q}")
    for slug in slugs:
        urls += [f"/factsheets/{slug}/", f"/factsheets/{slug}/versions/"]
        urls += [f"/factsheets/{slug}/versions/{n}/" for n in (1, 2, 3)]
    urls += [reverse("factsheets:preview", args=[r.pk]) for r in world["unapproved"] + world["unapproved_es"]]
    # The Spanish mirror of every page (the preview, feed, sitemap and robots have one address).
    slugs_es = slugs + [r.fact_sheet.slug for r in world["unapproved_es"]]
    urls += ["/es/", "/es/?letter=T", "/es/?letter=H", f"/es/conditions/{world['condition'].slug}/"]
    urls += [f"/es/search/?q={q}" for q in world["secrets"] + ["título", "resumen", "dato", "texto", "hoja"]]
    for slug in slugs_es:
        urls += [f"/es/factsheets/{slug}/", f"/es/factsheets/{slug}/versions/"]
        urls += [f"/es/factsheets/{slug}/versions/{n}/" for n in (1, 2, 3)]
    return urls


def test_no_public_url_shows_unapproved_text(client, world):
    for url in public_urls(world):
        body = client.get(url).content.decode().lower()
        searched = url.partition("?q=")[2]
        if searched in world["secrets"] + ["zqwithdrawn"]:
            if not url.startswith("/es/"):
                assert "no fact sheets match" in body, url  # the page echoes the words searched, nothing more
            body = body.replace(searched, "")
        for secret in world["secrets"]:
            assert secret not in body, f"{secret!r} leaked on {url}"


def test_withdrawn_sheet_leaves_every_list(client, world):
    for url in [
        "/",
        "/?letter=T",
        f"/conditions/{world['condition'].slug}/",
        "/feed/",
        "/sitemaps/factsheets-1.xml",
        "/search/?q=title",
    ]:
        assert "zqwithdrawn" not in client.get(url).content.decode().lower(), url
    assert "No fact sheets match" in client.get("/search/?q=zqwithdrawn").content.decode()
    for url in ["/factsheets/zqwithdrawn/", "/factsheets/zqwithdrawn/versions/", "/factsheets/zqwithdrawn/versions/1/"]:
        assert client.get(url).status_code == 410, url


def test_unapproved_version_numbers_are_404(client, world):
    for revision in world["unapproved"]:
        url = f"/factsheets/{revision.fact_sheet.slug}/versions/{revision.number}/"
        assert client.get(url).status_code == 404, url


def test_unapproved_spanish_versions_are_404(client, world):
    for revision in world["unapproved_es"]:
        url = f"/es/factsheets/{revision.fact_sheet.slug}/versions/{revision.number}/"
        assert client.get(url).status_code == 404, url
    for slug in ["live-draft", "live-review", "live-scheduled"]:  # no Spanish version was ever published
        assert client.get(f"/es/factsheets/{slug}/").status_code == 404
        assert client.get(f"/es/factsheets/{slug}/versions/").status_code == 404


def test_the_live_spanish_version_is_shown_not_the_one_sent_back(client, world):
    """The positive side of the Spanish matrix."""
    html = client.get("/es/factsheets/live-translated/").content.decode()
    assert "Resumen aprobado en español." in html
    assert "Hoja traducida" in client.get("/es/").content.decode()
    assert client.get("/es/factsheets/live-translated/versions/1/").status_code == 200


def test_never_published_sheets_are_404(client, world):
    for slug in ["zqdraftonly", "zqinreview", "zqchanges", "zqscheduled"]:
        assert client.get(f"/factsheets/{slug}/").status_code == 404
        assert client.get(f"/factsheets/{slug}/versions/").status_code == 404


def test_preview_of_unapproved_revision_needs_staff_login(client, world):
    for revision in world["unapproved"]:
        response = client.get(reverse("factsheets:preview", args=[revision.pk]))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_live_sheets_with_newer_unapproved_versions_still_show_the_approved_one(client, world):
    """The positive side, so the test above cannot pass on empty pages."""
    index = client.get("/").content.decode()
    feed = client.get("/feed/").content.decode()
    for sheet in world["live"]:
        state = sheet.slug.removeprefix("live-")
        assert f"Published {state} sheet" in index
        page = client.get(sheet.get_absolute_url())
        assert page.status_code == 200 and f"Approved summary {state}." in page.content.decode()
        assert f"Published {state} sheet (version 1)" in feed
        assert client.get(f"/factsheets/{sheet.slug}/versions/1/").status_code == 200
    assert "3 fact sheets found." in client.get("/search/?q=published").content.decode()


def test_spanish_documents_name_the_live_spanish_edition_and_no_unapproved_one(client, world):
    """The feed, the sitemap and Spanish search carry Spanish editions: only live ones."""
    feed = client.get("/feed/").content.decode()
    assert '<entry xml:lang="es">' in feed and "Hoja traducida (versión 1)" in feed
    sitemap = client.get("/sitemaps/factsheets-1.xml").content.decode()
    assert "/es/factsheets/live-translated/" in sitemap
    for slug in ["live-draft", "live-review", "live-scheduled"]:  # first translations not live
        assert f"/es/factsheets/{slug}/" not in sitemap and f"/es/factsheets/{slug}/" not in feed
    assert "/es/factsheets/live-translated/" in client.get("/es/search/?q=resumen").content.decode()


def test_the_search_index_holds_no_unapproved_text(world):
    from factsheets.models import EditionSearchIndex

    texts = " ".join(EditionSearchIndex.objects.values_list("text", flat=True))
    assert "hoja traducida" in texts  # the live Spanish version is indexed
    for secret in world["secrets"]:  # (a withdrawn sheet's approved text may stay: search reads live sheets only)
        assert secret not in texts, secret


def test_the_static_export_holds_no_unapproved_text(world, tmp_path):
    from factsheets.public.site_export import export_site

    export_site(tmp_path)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert (tmp_path / "es/factsheets/live-translated/index.html").exists()
    assert not (tmp_path / "es/factsheets/live-draft").exists() and not (tmp_path / "factsheets/zqdraftonly").exists()
    for path in files:
        text = path.read_text().lower()
        for secret in world["secrets"] + ["zqwithdrawn"]:
            assert secret not in text, f"{secret!r} exported in {path.relative_to(tmp_path)}"
