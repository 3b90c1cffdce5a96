"""Query budgets at scale: every public page, API endpoint and the admin changelist, with 1,500 sheets.

The same budgets as the per-feature tests (which use 500 sheets), on a data set ten times larger built by
the benchmark's bulk builder: queries per request must not grow with the number of sheets.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from bench.build_db import build

SHEETS = 1500  # about 5,000 stored renditions: enough rows that a per-row query would show, built in CI time

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scale_data(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back afterwards (each test runs in a
    savepoint of it), so the 1,500 sheets never leak into other tests."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build(SHEETS)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def data(scale_data, db):
    return scale_data


def _slug(data):
    return data["live_slugs"][len(data["live_slugs"]) // 2]


PUBLIC = [
    # (name, path template, max queries) -- sheet page uncached (the cache is cleared before each test)
    ("index", "/", 5),
    ("condition", "/conditions/{condition}/", 5),
    ("search", "/search/?q={word}", 5),
    ("sheet", "/factsheets/{slug}/", 4),
    ("versions", "/factsheets/{slug}/versions/", 5),
    ("older version", "/factsheets/{slug}/versions/2/", 5),
    ("feed", "/feed/", 5),
    ("sitemap", "/sitemap.xml", 5),
    ("sitemap page", "/sitemaps/factsheets-1.xml", 5),
    ("api list", "/api/v1/factsheets/", 4),
    ("api list filtered", "/api/v1/factsheets/?q={word}&condition={condition}&updated_since=2000-01-01", 4),
    ("api detail", "/api/v1/factsheets/{slug}/", 4),
    ("api versions", "/api/v1/factsheets/{slug}/versions/", 4),
    ("api version", "/api/v1/factsheets/{slug}/versions/2/", 4),
    ("api conditions", "/api/v1/conditions/", 4),
]


@pytest.mark.parametrize(("name", "template", "budget"), PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_query_budget_at_scale(data, client, django_assert_max_num_queries, name, template, budget):
    path = template.format(slug=_slug(data), word=data["search_word"], condition=data["condition_slug"])
    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"


def test_admin_changelist_query_budget_at_scale(data, client, django_assert_max_num_queries):
    client.force_login(get_user_model().objects.get(username=data["author_username"]))
    with django_assert_max_num_queries(10):
        response = client.get("/admin/factsheets/factsheet/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == SHEETS


def test_pages_beyond_the_first_stay_within_budget(data, client, django_assert_max_num_queries):
    """Pagination: a deep page of the API list costs what the first one does."""
    first = client.get("/api/v1/factsheets/")
    assert first.status_code == 200
    assert first.json()["count"] == len(data["live_slugs"])
    deep = first.json()["next"].replace("page=2", "page=20") if "page=2" in (first.json()["next"] or "") else None
    if deep is None:
        pytest.skip("the API list does not use page-number pagination")
    with django_assert_max_num_queries(4):
        response = client.get(deep)
    assert response.status_code == 200
