"""`/api/` tells a developer where the API's entry points are, in JSON."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_root_lists_the_entry_points_as_json(client, settings):
    body = client.get("/api/").json()
    assert body == {
        "factsheets": f"{settings.SITE_URL}/api/v1/factsheets/",
        "conditions": f"{settings.SITE_URL}/api/v1/conditions/",
        "schema": f"{settings.SITE_URL}/api/schema/",
        "docs": f"{settings.SITE_URL}/api/docs/",
    }
    for url in body.values():
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_api_root_refuses_writes_in_json(client):
    response = client.post("/api/")
    assert response.status_code == 405 and response.json()["status"] == 405
