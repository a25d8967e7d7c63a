"""Inbound institution messages over HTTP: the codec's JSON, idempotent by report id."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ungeforloeb.exchange.codec import unstructure_inbound
from ungeforloeb_http.inbound import EXAMPLE

PROBLEM = "application/problem+json"


def _optagelse(young_person: str, report: str = "h-1", **changes: Any) -> dict[str, Any]:
    message = {**EXAMPLE, "young_person_id": young_person,
               "provenance": {**EXAMPLE["provenance"],  # type: ignore[dict-item]
                              "haendelse_nummer": report}}
    message.update(changes)
    return message


def test_an_admission_is_recorded_then_applied_to_the_open_order(
        client: TestClient, order: str, young_person: str) -> None:
    response = client.post("/institution-messages", json=_optagelse(young_person))
    assert response.status_code == 201, response.text
    assert response.json() == {"status": "recorded", "report_id": "h-1", "duplicate": False,
                               "applied": ["h-1"], "pending": []}
    status = client.get(f"/cases/{young_person}/status").json()
    [admission] = status["orders"][0]["admissions"]
    assert admission["admission_id"] == "h-1" and admission["institution_id"] == "280727"


def test_the_same_report_again_is_a_duplicate_and_changes_nothing(
        client: TestClient, order: str, young_person: str) -> None:
    first = client.post("/institution-messages", json=_optagelse(young_person))
    trail = client.get(f"/cases/{young_person}/trail").json()
    again = client.post("/institution-messages", json=_optagelse(young_person))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["duplicate"] is True
    assert client.get(f"/cases/{young_person}/trail").json() == trail


def test_a_report_the_case_cannot_take_yet_stays_pending(client: TestClient,
                                                         young_person: str) -> None:
    answer = client.post("/institution-messages", json=_optagelse(young_person)).json()
    assert answer["applied"] == [] and answer["pending"] == ["h-1"]


def test_every_message_type_the_codec_writes_is_taken(client: TestClient, order: str,
                                                      young_person: str) -> None:
    from uuid import UUID

    from ungeforloeb.domain.exchange_values import EntryMode
    from ungeforloeb.domain.values import ContactKind
    from ungeforloeb.exchange.messages import (
        Afbrydelse,
        Contact,
        Gennemfoerelse,
        IndberetInstitutionKontakt,
        Modtagelseskvittering,
        RisikoForFrafald,
    )
    from ungeforloeb.exchange.messages import Provenance as P

    yp = UUID(young_person)

    def prov(n: str) -> P:
        return P(n, "280727", "easy-a", EntryMode.MANUAL, _d("2024-09-01"), _d("2024-09-02"))

    team = Contact("sps-team", ContactKind.TEAM)
    messages = [IndberetInstitutionKontakt(yp, prov("k-1"), team),
                Modtagelseskvittering(yp, prov("q-1"), "m-1", team),
                RisikoForFrafald(yp, prov("r-1"), "eud-gf1", None),
                Gennemfoerelse(yp, prov("g-1"), "eud-gf1"),
                Afbrydelse(yp, prov("a-1"), "eud-gf1", "01")]
    for m in messages:
        response = client.post("/institution-messages", json=unstructure_inbound(m))
        assert response.status_code == 201, response.text


def _d(iso: str) -> Any:
    from datetime import date

    return date.fromisoformat(iso)


@pytest.mark.parametrize("change,field", [
    ({"note": "x"}, "$"),
    ({"starts_on": "12-08-2024"}, "starts_on"),
    ({"education_code": 12}, "education_code"),
    ({"provenance": {**EXAMPLE["provenance"], "occurred_on": "2024-3-1"}},  # type: ignore[dict-item]
     "provenance.occurred_on"),
    ({"type": "Bogus"}, "type"),
])
def test_a_message_that_does_not_structure_is_422_naming_the_path(
        client: TestClient, young_person: str, change: dict[str, Any], field: str) -> None:
    response = client.post("/institution-messages", json=_optagelse(young_person, **change))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    doc = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:invalid-message"
    assert doc["command"] == "receive_institution_message"
    assert doc["field"] == field and doc["id"] == young_person
    assert doc["detail"].startswith(f"receive_institution_message: {field}: ")


def test_a_body_that_is_not_json_is_400(client: TestClient) -> None:
    for body in (b"nope", '{"type": "Zoë"}'.encode("latin-1")):
        response = client.post("/institution-messages", content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["type"] == "urn:ungeforloeb:problem:bad-request"
        assert "Zo" not in response.text


def test_a_message_for_an_unknown_young_person_is_404(client: TestClient) -> None:
    unknown = "00000000-0000-4000-8000-00000000dead"
    response = client.post("/institution-messages", json=_optagelse(unknown))
    assert response.status_code == 404
    doc = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:unknown-case" and doc["id"] == unknown


def test_a_report_dated_before_first_contact_is_409(client: TestClient,
                                                   young_person: str) -> None:
    message = _optagelse(young_person, provenance={
        **EXAMPLE["provenance"], "occurred_on": "2023-03-01",  # type: ignore[dict-item]
        "received_on": "2023-03-02"})
    response = client.post("/institution-messages", json=message)
    assert response.status_code == 409, response.text
    doc = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:out-of-order"
    assert doc["command"] == "receive_institution_message" and doc["id"] == young_person
