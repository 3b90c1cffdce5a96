"""Errors are JSON with a message: 400 bad filter, 404 unknown, 410 withdrawn, 405 for writes."""

import pytest

from factsheets.models import FactSheet, FactSheetRevision

pytestmark = pytest.mark.django_db


def assert_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-13-01", "2024-02-30", "2024-1-5", "20240105", "2024-01-05T00:00", " 2024-01-05"]
)
def test_malformed_updated_since_is_400_with_a_message(client, value):
    body = assert_error(client.get("/api/v1/factsheets/", {"updated_since": value}), 400)
    assert "YYYY-MM-DD" in body["message"]
    assert body["message"].startswith("Invalid query parameter. updated_since:")
    assert list(body["errors"]) == ["updated_since"]


@pytest.mark.parametrize("value", ["not a slug", "gout/../x", "é"])
def test_malformed_condition_is_400(client, value):
    body = assert_error(client.get("/api/v1/factsheets/", {"condition": value}), 400)
    assert list(body["errors"]) == ["condition"]


def test_empty_search_text_counts_as_not_given(client, publish):
    publish(slug="a")
    response = client.get("/api/v1/factsheets/?q=")
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.parametrize("name", ["updated_since", "condition"])
def test_an_empty_date_or_condition_is_400(client, publish, name):
    publish(slug="a")
    body = assert_error(client.get(f"/api/v1/factsheets/?{name}="), 400)
    assert list(body["errors"]) == [name] and "leave the parameter out" in body["message"]


def test_overlong_search_is_400(client):
    assert list(assert_error(client.get("/api/v1/factsheets/", {"q": "x" * 201}), 400)["errors"]) == ["q"]


def test_control_characters_in_the_search_count_as_spaces(client, publish):
    publish(slug="alpha-beta", title="Alpha beta")
    for q in ("alpha\x00", "\x00alpha", "alpha\x1fbeta"):
        response = client.get("/api/v1/factsheets/", {"q": q})
        assert response.status_code == 200, q
    assert client.get("/api/v1/factsheets/", {"q": "alpha\x00"}).json()["count"] == 1


@pytest.mark.parametrize("value", ["0", "101", "1000", "-1", "abc", "1.5", ""])
def test_a_page_size_outside_1_to_100_is_400_not_clamped(client, value):
    for path in ("/api/v1/factsheets/", "/api/v1/conditions/"):
        body = assert_error(client.get(path, {"page_size": value}), 400)
        assert list(body["errors"]) == ["page_size"] and "1 to 100" in body["message"]


def test_page_past_the_end_is_404_json(client):
    assert_error(client.get("/api/v1/factsheets/?page=99"), 404)
    assert_error(client.get("/api/v1/conditions/?page=0"), 404)


def test_unknown_sheet_is_404(client):
    body = assert_error(client.get("/api/v1/factsheets/no-such-drug/"), 404)
    assert body["message"] == "No published fact sheet has this address."
    assert_error(client.get("/api/v1/factsheets/no-such-drug/versions/"), 404)
    assert_error(client.get("/api/v1/factsheets/no-such-drug/versions/1/"), 404)


def test_never_published_sheet_is_404_everywhere(client, author):
    from tests.factories import FactSheetFactory, make_draft

    make_draft(author=author, fact_sheet=FactSheetFactory(slug="drafty"))
    for path in [
        "/api/v1/factsheets/drafty/",
        "/api/v1/factsheets/drafty/versions/",
        "/api/v1/factsheets/drafty/versions/1/",
    ]:
        assert_error(client.get(path), 404)


def test_unknown_or_unpublished_version_number_is_404(client, publish, author):
    from factsheets.content.services import revision_start_draft

    live = publish(slug="a")
    revision_start_draft(fact_sheet=live.fact_sheet, by=author)  # version 2 exists as a draft only
    assert_error(client.get("/api/v1/factsheets/a/versions/2/"), 404)
    assert_error(client.get("/api/v1/factsheets/a/versions/0/"), 404)
    assert_error(client.get(f"/api/v1/factsheets/a/versions/{2**31}/"), 404)
    assert_error(client.get("/api/v1/factsheets/a/versions/99999999999999999999999/"), 404)
    assert_error(client.get("/api/v1/factsheets/a/versions/-1/"), 404)


def test_withdrawn_sheet_is_410_with_reason_on_detail_and_versions(client, publish, withdraw):
    live = publish(slug="gone")
    client.get("/api/v1/factsheets/gone/")  # cache the live pointer first: withdrawal must forget it
    withdraw(live.fact_sheet, reason="No longer sold in this country.")
    for path in [
        "/api/v1/factsheets/gone/",
        "/api/v1/factsheets/gone/versions/",
        "/api/v1/factsheets/gone/versions/1/",
    ]:
        body = assert_error(client.get(path), 410)
        assert "withdrawn" in body["message"] and "No longer sold in this country." in body["message"]
    assert client.get("/api/v1/factsheets/").json()["count"] == 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/factsheets/",
        "/api/v1/factsheets/a/",
        "/api/v1/factsheets/a/versions/",
        "/api/v1/factsheets/a/versions/1/",
        "/api/v1/conditions/",
    ],
)
def test_writes_are_405_and_change_nothing(client, publish, method, path):
    live = publish(slug="a")
    before = (FactSheet.objects.count(), FactSheetRevision.objects.count(), live.fact_sheet.slug)
    response = getattr(client, method)(path, data={"title": "Changed", "slug": "b"}, content_type="application/json")
    body = assert_error(response, 405)
    assert method.upper() in body["message"]
    assert "GET" in response["Allow"] and method.upper() not in response["Allow"]
    live.fact_sheet.refresh_from_db()
    assert (FactSheet.objects.count(), FactSheetRevision.objects.count(), live.fact_sheet.slug) == before


def test_unknown_api_address_is_json_404(client):
    body = assert_error(client.get("/api/v1/nothing-here/"), 404)
    assert "/api/docs/" in body["message"]
    assert_error(client.get("/api/v2/factsheets/"), 404)


def test_an_empty_page_number_is_404_like_any_other_malformed_page(client):
    assert "page number" in assert_error(client.get("/api/v1/factsheets/?page="), 404)["message"]
