"""A cache miss serves stored bytes: with Markdown, textstat, the word differ and the API serializer all
broken, a cold sheet page, version page, versions page and API detail still answer as before."""

import pytest
from django.core.cache import cache
from markdown_it import MarkdownIt

from factsheets.content import diff, version_diffs
from factsheets.public import rendition

from factsheets.plain_language import readability
from factsheets.api import serializers
from factsheets.content.version_diffs import VersionDiff
from tests.factories import FactSheetFactory, make_draft, make_published

URLS = [
    "/factsheets/examplumab/",
    "/factsheets/examplumab/versions/",
    "/factsheets/examplumab/versions/1/",
    "/factsheets/examplumab/versions/2/",
    "/api/v1/factsheets/examplumab/",
    "/api/v1/factsheets/examplumab/versions/1/",
]


class Broken:
    def __getattr__(self, name):
        raise AssertionError(f"textstat.{name} called while serving a published page")


def _explode(*args, **kwargs):
    raise AssertionError("derived work done while serving a published page")


@pytest.fixture
def two_versions(author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="examplumab"),
            title="Examplumab first words",
        )
        second = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=first.fact_sheet,
            number=2,
            title="Examplumab second words",
        )
    return first, second


def _break_derived_work(patch):
    patch.setattr(MarkdownIt, "render", _explode)
    patch.setattr(readability, "textstat", Broken())
    patch.setattr(version_diffs, "revision_diff", _explode)
    patch.setattr(diff, "revision_diff", _explode)
    patch.setattr(serializers.FactSheetRevisionSerializer, "to_representation", _explode)


@pytest.fixture
def nothing_derived(monkeypatch):
    _break_derived_work(monkeypatch)


def test_publishing_stores_the_word_diff_against_the_version_replaced(two_versions):
    first, second = two_versions
    stored = VersionDiff.objects.get(revision=second)
    assert stored.previous_number == 1
    title = next(f for f in stored.fields if f["label"] == "Title")
    assert ["delete", "first"] in title["segments"] and ["insert", "second"] in title["segments"]
    assert not VersionDiff.objects.filter(revision=first).exists()  # a first version has nothing to compare


@pytest.mark.parametrize("url", URLS)
def test_cold_public_answers_need_no_markdown_textstat_diff_or_serializer(client, two_versions, url):
    warm = client.get(url)
    assert warm.status_code == 200
    cache.clear()
    with pytest.MonkeyPatch.context() as patch:
        _break_derived_work(patch)
        cold = client.get(url)
    assert cold.status_code == 200
    assert cold.content == warm.content


def test_the_patches_do_break_rendering(author, nothing_derived):
    """The patches above are not decorative: rendering, scoring and diffing a draft all fail under them."""
    draft = make_draft(author=author)
    for work in (
        lambda: rendition.render(draft),
        lambda: readability.score_text("Some words here."),
        lambda: version_diffs.store(draft, draft),
    ):
        with pytest.raises(AssertionError):
            work()


def test_versions_page_shows_the_stored_diff(client, two_versions):
    page = client.get("/factsheets/examplumab/versions/").content.decode()
    assert "against version 1" in page and "<del>first</del>" in page and "<ins>second</ins>" in page


def test_a_version_published_before_diffs_were_stored_gets_its_diff_on_first_view(
    client, two_versions, django_assert_max_num_queries
):
    VersionDiff.objects.all().delete()
    page = client.get("/factsheets/examplumab/versions/").content.decode()
    assert "<ins>second</ins>" in page
    assert VersionDiff.objects.filter(revision=two_versions[1], previous_number=1).exists()
    cache.clear()
    with django_assert_max_num_queries(2):  # sheet + versions with their stored diffs
        assert "<ins>second</ins>" in client.get("/factsheets/examplumab/versions/").content.decode()
