"""Nothing but published content, for sheets in every workflow state, on every endpoint."""

import pytest

pytestmark = pytest.mark.django_db

SLUGS = [
    "draft-only",
    "in-review",
    "changes-requested",
    "approved-scheduled",
    "withdrawn-sheet",
    "live-sheet",
    "superseded-sheet",
]


def every_response(client):
    """(path, response) for every endpoint and every sheet, pages included."""
    paths = [
        "/api/v1/factsheets/",
        "/api/v1/factsheets/?q=hidden",
        "/api/v1/factsheets/?condition=hidden-condition",
        "/api/v1/factsheets/?condition=arthritis",
        "/api/v1/conditions/",
    ]
    for slug in SLUGS:
        paths += [f"/api/v1/factsheets/{slug}/", f"/api/v1/factsheets/{slug}/versions/"]
        paths += [f"/api/v1/factsheets/{slug}/versions/{n}/" for n in (1, 2, 3)]
    # Every edition: asked for by parameter, and negotiated by Accept-Language.
    spanish = [path + ("&" if "?" in path else "?") + "language=es" for path in paths]
    return [(path, client.get(path)) for path in paths + spanish] + [
        (f"{path} (Accept-Language: es)", client.get(path, HTTP_ACCEPT_LANGUAGE="es")) for path in paths
    ]


def test_no_unpublished_or_withdrawn_text_in_any_response(client, sheets_in_every_state):
    responses = every_response(client)
    for path, response in responses:
        assert response.status_code in (200, 404, 410), path
        assert "HIDDEN" not in response.content.decode().replace("HIDDEN-looking reason", ""), path
    # and the same once everything is cached
    for path, response in every_response(client):
        assert "HIDDEN" not in response.content.decode().replace("HIDDEN-looking reason", ""), path


def test_list_holds_exactly_the_live_sheets(client, sheets_in_every_state):
    results = client.get("/api/v1/factsheets/").json()["results"]
    assert [(r["slug"], r["version"], r["title"]) for r in results] == [
        ("live-sheet", 1, "Live sheet v1"),
        ("superseded-sheet", 2, "Superseded sheet v2"),
    ]


@pytest.mark.parametrize("slug", ["draft-only", "in-review", "changes-requested", "approved-scheduled"])
def test_sheets_never_published_are_404_on_every_endpoint(client, sheets_in_every_state, slug):
    for path in [
        f"/api/v1/factsheets/{slug}/",
        f"/api/v1/factsheets/{slug}/versions/",
        f"/api/v1/factsheets/{slug}/versions/1/",
    ]:
        assert client.get(path).status_code == 404, path


def test_withdrawn_sheet_is_410_on_every_sheet_endpoint(client, sheets_in_every_state):
    for path in [
        "/api/v1/factsheets/withdrawn-sheet/",
        "/api/v1/factsheets/withdrawn-sheet/versions/",
        "/api/v1/factsheets/withdrawn-sheet/versions/1/",
    ]:
        assert client.get(path).status_code == 410, path


def test_live_sheet_shows_live_version_not_the_one_in_review(client, sheets_in_every_state):
    assert client.get("/api/v1/factsheets/live-sheet/").json()["title"] == "Live sheet v1"
    assert [r["version"] for r in client.get("/api/v1/factsheets/live-sheet/versions/").json()["results"]] == [1]
    assert client.get("/api/v1/factsheets/live-sheet/versions/2/").status_code == 404


def test_superseded_versions_stay_readable_but_approved_future_one_does_not(client, sheets_in_every_state):
    assert client.get("/api/v1/factsheets/superseded-sheet/").json()["version"] == 2
    assert [r["version"] for r in client.get("/api/v1/factsheets/superseded-sheet/versions/").json()["results"]] == [
        2,
        1,
    ]
    assert client.get("/api/v1/factsheets/superseded-sheet/versions/1/").json()["title"] == "Superseded sheet v1"
    assert client.get("/api/v1/factsheets/superseded-sheet/versions/3/").status_code == 404


def test_conditions_only_of_live_sheets(client, sheets_in_every_state):
    [listed] = client.get("/api/v1/conditions/").json()["results"]
    assert (listed["slug"], listed["name"]) == ("arthritis", "Arthritis")
    assert client.get("/api/v1/factsheets/?condition=hidden-condition").json()["count"] == 0


def test_spanish_list_holds_exactly_the_live_translations(client, sheets_in_every_state):
    results = client.get("/api/v1/factsheets/?language=es").json()["results"]
    assert [(r["slug"], r["version"], r["title"], r["language"]) for r in results] == [
        ("live-sheet", 1, "Hoja viva v1", "es")
    ]
    assert client.get("/api/v1/factsheets/live-sheet/versions/2/?language=es").status_code == 404
    assert client.get("/api/v1/factsheets/superseded-sheet/?language=es").status_code == 404
