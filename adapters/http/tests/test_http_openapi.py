"""The OpenAPI document: every route, tagged and described, with strict request schemas."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ungeforloeb_http.commands import COMMANDS
from ungeforloeb_http.fields import DATE_REGEX


def test_openapi_lists_every_command_and_query_with_tags_and_descriptions(
        client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    assert {f"/commands/{c.name}" for c in COMMANDS} <= set(paths)
    assert {"/institution-messages", "/cases/{young_person_id}/status",
            "/cases/{young_person_id}/trail", "/worklist", "/compliance",
            "/cases/{young_person_id}/verdicts/{rule_id}", "/export"} <= set(paths)
    tags = {t["name"] for t in doc["tags"]}
    for item in paths.values():
        for operation in item.values():
            assert operation["tags"] and set(operation["tags"]) <= tags
            assert operation["summary"] and operation["description"]
            assert operation["operationId"]


def test_command_schemas_refuse_unknown_fields_and_take_dates_as_dates(
        client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    visitate = schemas["VisitateRequest"]
    assert visitate["additionalProperties"] is False
    assert visitate["properties"]["occurred_on"]["format"] == "date"
    assert set(visitate["required"]) == {"young_person_id", "occurred_on",
                                         "stage", "group", "perspective_recorded",
                                         "justification_recorded"}
    assert "Visitated" in client.get("/openapi.json").json()["paths"][
        "/commands/visitate"]["post"]["description"]


def test_problems_are_documented_as_problem_json(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/commands/admit"]["post"]
    for status in ("404", "409", "422"):
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_the_inbound_body_is_one_of_the_message_types(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/institution-messages"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    titles = {s["title"] for s in schema["oneOf"]}
    assert titles == {"Optagelse", "Gennemfoerelse", "Afbrydelse", "RisikoForFrafald",
                      "IndberetInstitutionKontakt", "Modtagelseskvittering"}
    optagelse = next(s for s in schema["oneOf"] if s["title"] == "Optagelse")
    assert optagelse["properties"]["provenance"]["properties"]["occurred_on"] == {
        "type": "string", "format": "date", "pattern": DATE_REGEX}
    assert optagelse["properties"]["provenance"]["properties"]["institution_id"][
        "pattern"] == "^[0-9]{6}$"
