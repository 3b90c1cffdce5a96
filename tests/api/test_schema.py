"""The OpenAPI schema describes the API, the docs page loads nothing from the internet, and the API
survives schema-driven fuzzing with every response matching its own schema."""

import contextlib
import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_endpoint_read_only(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/factsheets/",
        "/api/v1/factsheets/{slug}/",
        "/api/v1/factsheets/{slug}/versions/",
        "/api/v1/factsheets/{slug}/versions/{number}/",
        "/api/v1/conditions/",
        "/infobutton/",
    }
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())


def test_schema_documents_every_field(schema):
    components = schema["components"]["schemas"]
    assert list(components["FactSheetRevision"]["properties"]) == [
        "slug",
        "title",
        "generic_name",
        "brand_names",
        "conditions",
        "codes",
        "version",
        "summary",
        "fast_facts",
        "sections",
        "authors",
        "reviewed_by",
        "updated_on",
        "last_reviewed_on",
        "next_review_due",
        "published_at",
        "content_hash",
        "rendition_hash",
        "reading_grade",
        "language",
        "translation_of",
        "editions",
        "url",
    ]
    assert list(components["FactSheetListItem"]["properties"]) == [
        "slug",
        "title",
        "version",
        "updated_on",
        "language",
        "url",
    ]
    assert list(components["Section"]["properties"]) == ["kind", "heading", "body_markdown", "body_html"]
    assert list(components["Condition"]["properties"]) == ["slug", "name"]
    for name in ("FactSheetRevision", "FactSheetListItem", "Section", "Condition"):
        for field, spec in components[name]["properties"].items():
            assert spec.get("description") or "$ref" in spec or "allOf" in spec, f"{name}.{field} undocumented"


def test_schema_documents_filters_and_error_responses(schema):
    listing = schema["paths"]["/api/v1/factsheets/"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"q", "condition", "updated_since", "page", "page_size"} <= set(params)
    assert params["updated_since"]["schema"]["format"] == "date"
    assert all(params[name]["description"] for name in ("q", "condition", "updated_since"))
    assert {"200", "400", "404", "429"} <= set(listing["responses"])
    error_ref = {"$ref": "#/components/schemas/Error"}
    assert listing["responses"]["400"]["content"]["application/json"]["schema"] == error_ref
    for path in ["/api/v1/factsheets/{slug}/", "/api/v1/factsheets/{slug}/versions/{number}/"]:
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "304", "404", "410"} <= set(responses), path
        assert responses["410"]["content"]["application/json"]["schema"] == error_ref
    assert {"404", "410"} <= set(schema["paths"]["/api/v1/factsheets/{slug}/versions/"]["get"]["responses"])
    assert list(schema["components"]["schemas"]["Error"]["properties"]) == ["status", "message", "errors"]


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert references, html
    for reference in references:
        assert not re.match(r"^(https?:)?//", reference), reference
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in references
    script = client.get(next(r for r in references if "?script" in r or "script" in r.split("/")[-1]))
    assert script.status_code == 200
    body = script.content.decode()
    assert "/api/schema/" in body and "validatorUrl" in body
    assert not re.search(r"https?://", body), body


# Schema-driven fuzzing, in-process over WSGI -------------------------------------------------------

api_schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schemathesis.checks.load_all_checks()
ALL_CHECKS = schemathesis.checks.CHECKS.get_all()
# All three phases, as `schemathesis run` does: coverage sends the boundary values (page_size=101, empty dates).
api_schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


@contextlib.contextmanager
def db_connection_kept():
    """The raw WSGI app closes "old" DB connections at each request end, which on PostgreSQL closes the test
    transaction's connection. Django's test Client suspends that too; do the same while fuzzing."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_content(publish, publish_new_version):
    gout = ConditionFactory(slug="gout", name="Gout")
    # "methotrexate" is the slug the schema gives as its example, so the examples phase reads a real sheet.
    live = publish(slug="methotrexate", title="Examplumab (Examplex)", conditions=[gout])
    publish_new_version(live.fact_sheet, title="Examplumab (Examplex) v2")
    # Only now: a publish builds its stored answers through the test client, which connects those handlers again
    # when its request ends.
    with db_connection_kept():
        yield


@api_schema.exclude(path="/infobutton/").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_own_schema(case, fuzz_content):
    # Every check (schemathesis `--checks all`), none excluded: malformed input must be refused, documented
    # answers only. The rate limit is off in the test settings; tests/api/test_http.py shows it applies.
    case.call_and_validate(checks=ALL_CHECKS)


INFOBUTTON_CHECKS = [check for check in ALL_CHECKS if check.__name__ != "positive_data_acceptance"]


@api_schema.include(path="/infobutton/").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_infobutton_conforms_to_its_own_schema(case, fuzz_content):
    # Every check but "schema-valid data is accepted": OpenAPI 3.0 cannot say that a code needs its code
    # system (and a well-formed code for it), so such schema-valid requests rightly answer 400.
    case.call_and_validate(checks=INFOBUTTON_CHECKS)
