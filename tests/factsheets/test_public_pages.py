"""The public pages: what a patient sees on the index, a sheet, its versions, search, feed and sitemap."""

import json
import re

import pytest
from django.urls import reverse

from factsheets.models import Condition
from reviews import services
from tests.factories import FactSheetFactory, make_published


@pytest.fixture
def arthritis(db):
    return Condition.objects.create(name="Rheumatoid arthritis", slug="rheumatoid-arthritis")


@pytest.fixture
def live(author, reviewer1, reviewer2, committee, arthritis):
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
        brand_names="Examplex, Samplora",
        conditions=[arthritis],
        title="Examplumab (Examplex)",
        change_note="First version for patients.",
    )


def publish_new_version(live, *, author, reviewers, committee, **fields):
    fields.setdefault("title", "Examplumab (Examplex) revised")
    fields.setdefault("change_note", "Added advice about vaccines.")
    return make_published(
        author=author,
        reviewers=reviewers,
        committee=committee,
        fact_sheet=live.fact_sheet,
        number=live.number + 1,
        **fields,
    )


def test_index_lists_live_sheet_letters_and_conditions(client, live):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Examplumab (Examplex)" in html
    assert 'href="/?letter=E"' in html
    assert 'class="letter-empty"' in html  # letters without sheets are not links
    assert 'href="/conditions/rheumatoid-arthritis/"' in html
    assert '<label for="site-search-q">Search fact sheets</label>' in html
    assert html.count("<h1") == 1


def test_index_letter_filter_shows_only_that_letter(client, live):
    assert "Examplumab (Examplex)" in client.get("/?letter=E").content.decode()
    other = client.get("/?letter=B").content.decode()
    assert "Examplumab (Examplex)" not in other
    assert "No fact sheets start with B." in other


def test_condition_page_lists_its_live_sheets(client, live, arthritis):
    response = client.get(reverse("factsheets:condition", args=[arthritis.slug]))
    assert response.status_code == 200
    assert "Medicines for Rheumatoid arthritis" in response.content.decode()
    assert "Examplumab (Examplex)" in response.content.decode()


def test_unknown_condition_is_404_in_site_style(client, db):
    response = client.get("/conditions/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "site-header" in response.content.decode()


def test_sheet_page_shows_everything_a_patient_needs(client, live, committee, settings):
    response = client.get(live.fact_sheet.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<h1>Examplumab \(Examplex\)</h1>", html)
    assert html.count("<h1") == 1
    assert "Examplex, Samplora" in html
    assert "Fast facts" in html and "Take it once a week with food." in html
    assert '<h2 id="section-1">How it works</h2>' in html
    month = live.updated_on.strftime("%B %Y")
    assert f"Updated {month} by A. Writer, MD, and reviewed by the {committee.name}." in html
    assert f"Next review due {live.next_review_due.strftime('%B %Y')}." in html
    assert settings.FACTSHEETS_DISCLAIMER in html
    assert "This is an older version" not in html


def test_never_published_sheet_is_404(client, author):
    from tests.factories import make_draft

    draft = make_draft(author=author)
    assert client.get(draft.fact_sheet.get_absolute_url()).status_code == 404


def test_withdrawn_sheet_is_410_with_reason(client, live, editor):
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Replaced by a combined sheet.")
    for url in [
        live.fact_sheet.get_absolute_url(),
        f"/factsheets/{live.fact_sheet.slug}/versions/",
        f"/factsheets/{live.fact_sheet.slug}/versions/1/",
    ]:
        response = client.get(url)
        assert response.status_code == 410, url
        assert "Replaced by a combined sheet." in response.content.decode()
        assert "has been withdrawn" in response.content.decode()


def test_versions_page_lists_published_versions_with_what_changed(
    client, live, author, reviewer1, reviewer2, committee
):
    publish_new_version(live, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    html = client.get(f"/factsheets/{live.fact_sheet.slug}/versions/").content.decode()
    assert "What changed" in html
    assert 'Version 2</a> <span class="current-tag">(current)</span>' in html
    assert "Version 1</a>" in html
    assert "First version for patients." in html and "Added advice about vaccines." in html


def test_versions_page_prints_the_word_diff_escaped_with_insertions_and_deletions_marked(
    client, live, author, reviewer1, reviewer2, committee
):
    publish_new_version(
        live, author=author, reviewers=[reviewer1, reviewer2], committee=committee, title='Examplumab <"Examplex"> & co'
    )
    html = client.get(f"/factsheets/{live.fact_sheet.slug}/versions/").content.decode()
    assert (
        '<p class="diff-text">Examplumab <del>(Examplex)</del><ins>&lt;&quot;Examplex&quot;&gt; &amp; co</ins></p>'
        in html
    )


def test_a_sheets_version_pages_read_their_versions_without_joining_the_sheet_again(
    client, live, author, reviewer1, reviewer2, committee, django_assert_max_num_queries
):
    """The view has read the sheet (and its withdrawal) already: the versions are read by its id alone."""
    publish_new_version(live, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    slug = live.fact_sheet.slug
    for url in [f"/factsheets/{slug}/versions/", f"/factsheets/{slug}/versions/1/"]:
        with django_assert_max_num_queries(2) as queries:
            assert client.get(url).status_code == 200, url
        _sheet, *versions = [query["sql"] for query in queries.captured_queries]
        assert versions and not any('"factsheets_factsheet"' in sql for sql in versions), (url, versions)


def test_older_version_is_marked_and_links_to_current(client, live, author, reviewer1, reviewer2, committee, settings):
    publish_new_version(live, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    html = client.get(f"/factsheets/{live.fact_sheet.slug}/versions/1/").content.decode()
    assert "This is an older version (version 1" in html
    assert f'<a href="/factsheets/{live.fact_sheet.slug}/">Read the current version (version 2)</a>' in html
    assert '<meta name="robots" content="noindex, follow">' in html
    current = client.get(f"/factsheets/{live.fact_sheet.slug}/versions/2/").content.decode()
    assert "This is an older version" not in current
    assert f'<link rel="canonical" href="{settings.SITE_URL}/factsheets/{live.fact_sheet.slug}/">' in current


def test_unknown_version_number_is_404(client, live):
    assert client.get(f"/factsheets/{live.fact_sheet.slug}/versions/7/").status_code == 404


def test_seo_tags_on_sheet_page(client, live, committee, settings):
    html = client.get(live.fact_sheet.get_absolute_url()).content.decode()
    url = f"{settings.SITE_URL}/factsheets/{live.fact_sheet.slug}/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta name="description" content="{live.summary}">' in html
    assert '<meta property="og:title" content="Examplumab (Examplex)">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "Examplumab (Examplex)"
    assert data["about"] == {
        "@type": "Drug",
        "name": "examplumab",
        "nonProprietaryName": "examplumab",
        "proprietaryName": ["Examplex", "Samplora"],
    }
    assert data["reviewedBy"] == {"@type": "Organization", "name": committee.name}
    assert data["lastReviewed"] == live.last_reviewed_on.isoformat()
    assert data["dateModified"] == live.updated_on.isoformat()


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, author, reviewer1, reviewer2, committee):
    nasty = 'Bad </script><script>alert("x")</script> & co'
    revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, title=nasty)
    html = client.get(revision.fact_sheet.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == nasty


def test_search_finds_by_brand_condition_and_section_text(client, live):
    for q in ["Samplora", "arthritis", "plain words", "examplumab"]:
        html = client.get("/search/", {"q": q}).content.decode()
        assert "Examplumab (Examplex)" in html, q
        assert "1 fact sheet found." in html, q


def test_search_without_match_says_so(client, live):
    html = client.get("/search/", {"q": "zzzqqq"}).content.decode()
    assert "No fact sheets match" in html
    assert "Examplumab (Examplex)" not in html


def test_empty_search_asks_for_a_word(client, live):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert "Type the name of a medicine" in response.content.decode()


def test_search_with_control_characters_still_searches(client, live):
    """A NUL byte would make PostgreSQL refuse the query (a 500); control characters count as spaces."""
    response = client.get("/search/", {"q": "exam\x00plumab\x07 Samplora"})
    assert response.status_code == 200
    assert "No fact sheets match" in response.content.decode() or "Examplumab (Examplex)" in response.content.decode()
    found = client.get("/search/", {"q": "\x00Samplora\x00"}).content.decode()
    assert "Examplumab (Examplex)" in found


def test_too_long_search_is_refused_with_a_message(client, live):
    response = client.get("/search/", {"q": "examplumab " * 30})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please shorten your search to 200 characters or fewer." in html
    assert "Examplumab (Examplex)" not in html


def test_sitemap_lists_live_sheets(client, live):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and "/sitemaps/factsheets-1.xml</loc>" in index.content.decode()
    response = client.get("/sitemaps/factsheets-1.xml")
    assert response.status_code == 200
    assert f"/factsheets/{live.fact_sheet.slug}/</loc>" in response.content.decode()


def test_robots_txt_disallows_admin_and_preview(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text and "Disallow: /preview/" in text
    assert "Sitemap: " in text


def test_feed_has_one_entry_per_published_version(client, live, author, reviewer1, reviewer2, committee):
    publish_new_version(live, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    response = client.get("/feed/")
    xml = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert xml.count('<entry xml:lang="en">') == 2
    assert f"/factsheets/{live.fact_sheet.slug}/versions/1/" in xml
    assert f"/factsheets/{live.fact_sheet.slug}/versions/2/" in xml


def test_preview_is_staff_only_noindex_and_never_cached(client, live, author):
    url = reverse("factsheets:preview", args=[live.pk])
    assert client.get(url).status_code == 302  # anonymous -> login
    client.force_login(author)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "<h1>Examplumab (Examplex)</h1>" in response.content.decode()


def test_static_css_has_print_styles_and_no_remote_assets(client, live):
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert "@media print" in css
    html = client.get(live.fact_sheet.get_absolute_url()).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//(?!testserver)[^"]*\.(css|js)', html)


def test_postgres_search_ranks_title_matches_first_and_stems_words(
    client, live, author, reviewer1, reviewer2, committee
):
    from django.db import connection

    from factsheets.models import Section
    from tests.factories import PASSWORD, make_draft

    if connection.vendor != "postgresql":
        pytest.skip("full-text ranking needs PostgreSQL")
    other = make_draft(author=author, title="Otherumab (Otherex)")
    section = Section(
        revision=other, position=5, heading="Compared", body="Works like examplumab, but monthly injections."
    )
    section._history_user = author
    section.save()
    review = services.revision_submit(revision=other, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    html = client.get("/search/", {"q": "examplumab"}).content.decode()
    assert "2 fact sheets found." in html
    assert html.index("Examplumab (Examplex)") < html.index("Otherumab (Otherex)")
    assert "Otherumab (Otherex)" in client.get("/search/", {"q": "injection"}).content.decode()
