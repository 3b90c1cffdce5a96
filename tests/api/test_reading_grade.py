"""The API detail of a published version carries its reading grade, documented in the schema."""

import textstat

from factsheets.plain_language import readability


def test_detail_includes_reading_grade_of_the_whole_version(client, publish):
    live = publish(slug="examplinra")
    body = client.get("/api/v1/factsheets/examplinra/").json()
    overall = readability.revision_report(live).overall
    assert body["reading_grade"] == {"flesch_kincaid": overall.flesch_kincaid, "smog": overall.smog}
    text = readability.revision_text(live)
    assert body["reading_grade"]["flesch_kincaid"] == round(textstat.flesch_kincaid_grade(text), 1)
    assert body["reading_grade"]["smog"] == round(textstat.smog_index(text), 1)


def test_version_detail_includes_reading_grade(client, publish):
    live = publish(slug="examplinra")
    body = client.get("/api/v1/factsheets/examplinra/versions/1/").json()
    assert body["reading_grade"] == readability.reading_grade(live)


def test_harder_version_has_higher_grade(client, publish, publish_new_version, committee):
    committee.max_reading_grade = 30  # no justification needed for this deliberately hard text
    committee.save()
    live = publish(slug="examplinra")
    publish_new_version(
        live.fact_sheet,
        summary="Concomitant administration of immunosuppressive therapeutics necessitates comprehensive evaluation.",
    )
    old = client.get("/api/v1/factsheets/examplinra/versions/1/").json()["reading_grade"]
    new = client.get("/api/v1/factsheets/examplinra/").json()["reading_grade"]
    assert new["flesch_kincaid"] > old["flesch_kincaid"]


def test_list_items_do_not_carry_reading_grade(client, publish):
    publish(slug="examplinra")
    assert "reading_grade" not in client.get("/api/v1/factsheets/").json()["results"][0]


def test_schema_documents_reading_grade(client):
    components = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert components["ReadingGrade"]["properties"]["flesch_kincaid"]["type"] == "number"
    assert components["ReadingGrade"]["properties"]["smog"]["nullable"] is True
    assert components["FactSheetRevision"]["properties"]["reading_grade"]
    assert "reading_grade" in components["FactSheetRevision"]["required"]
