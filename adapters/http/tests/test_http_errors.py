"""Refusals over HTTP: strict validation of the request, and every domain error as a problem
document (RFC 9457) with its status, naming the command, the field and the id."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, Post, bearer, http_settings, make_token

PROBLEM = "application/problem+json"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    doc: dict[str, Any] = response.json()
    assert doc["type"] == f"urn:ungeforloeb:problem:{kind}"
    assert doc["status"] == status and doc["title"] and doc["detail"]
    assert doc["instance"] == response.request.url.path
    return doc


def _conversation(young_person: str, **changes: Any) -> dict[str, Any]:
    return {"young_person_id": young_person, "occurred_on": "2024-01-09",
            **changes}


# ------------------------------------------------------------------ strict validation


def test_an_unknown_field_is_refused_naming_it(client: TestClient, young_person: str) -> None:
    response = client.post("/commands/hold_first_conversation",
                           json=_conversation(young_person, note="free text"))
    doc = _problem(response, 422, "invalid-request")
    assert doc["command"] == "hold_first_conversation"
    assert doc["field"] == "note" and doc["id"] == young_person
    assert doc["errors"] == [{"field": "note", "message": "unknown field"}]
    assert "free text" not in response.text


@pytest.mark.parametrize("field,value", [
    ("occurred_on", "2024-1-9"),
    ("occurred_on", "09-01-2024"),
    ("occurred_on", "2024-01-09T00:00:00"),
    ("occurred_on", 20240109),
    ("occurred_on", "2024-02-30"),
    ("young_person_id", 12345),
    ("young_person_id", "not-a-uuid"),
])
def test_a_value_of_the_wrong_type_or_form_is_refused(client: TestClient, young_person: str,
                                                      field: str, value: Any) -> None:
    response = client.post("/commands/hold_first_conversation",
                           json=_conversation(young_person, **{field: value}))
    doc = _problem(response, 422, "invalid-request")
    assert doc["field"] == field
    assert doc["detail"].startswith(f"hold_first_conversation: field '{field}'")


@pytest.mark.parametrize("field,value", [
    ("perspective_recorded", "true"), ("perspective_recorded", 1),
    ("stage", "PRELIMINARY"), ("stage", 1), ("group", "XX"),
])
def test_booleans_and_codes_are_taken_only_as_written(client: TestClient, young_person: str,
                                                      field: str, value: Any) -> None:
    body = _conversation(young_person, stage="preliminary", group="UP",
                         perspective_recorded=True, justification_recorded=True)
    body[field] = value
    doc = _problem(client.post("/commands/visitate", json=body), 422, "invalid-request")
    assert doc["field"] == field


@pytest.mark.parametrize("step", [1.0, "1", True, 4])
def test_an_integer_code_is_taken_only_as_an_integer_of_the_list(
        client: TestClient, order: str, step: Any) -> None:
    response = client.post("/commands/set_step_deadline", json={
        "order_id": order, "occurred_on": "2024-01-10", "step": step,
        "deadline": "2024-02-15"})
    assert _problem(response, 422, "invalid-request")["field"] == "step"


def test_a_missing_field_and_every_other_problem_are_listed(client: TestClient) -> None:
    doc = _problem(client.post("/commands/register_first_contact",
                               json={"occurred_on": "x", "extra": 1}),
                   422, "invalid-request")
    fields = {e["field"] for e in doc["errors"]}
    assert fields == {"occurred_on", "extra", "municipality_code", "birth_date"}
    assert "(and 3 more)" in doc["detail"]


def test_recorded_by_comes_from_the_token_and_is_refused_in_the_body(
        client: TestClient, young_person: str) -> None:
    doc = _problem(client.post("/commands/hold_first_conversation",
                               json=_conversation(young_person, recorded_by="cw-2")),
                   422, "invalid-request")
    assert doc["errors"] == [{"field": "recorded_by", "message": "unknown field"}]
    client.post("/commands/hold_first_conversation", json=_conversation(young_person))
    trail = client.get(f"/cases/{young_person}/trail").json()
    assert {e["recorded_by"] for e in trail} == {"cw-1"}


def test_a_body_that_is_not_json_or_not_an_object_is_refused(client: TestClient) -> None:
    response = client.post("/commands/register_first_contact", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert _problem(response, 400, "bad-request")["detail"] == \
        "register_first_contact: the body is not UTF-8 JSON"
    response = client.post("/commands/register_first_contact",
                           content='{"name": "Zoë"}'.encode("latin-1"),
                           headers={"content-type": "application/json"})
    assert "Zo" not in _problem(response, 400, "bad-request")["detail"]
    _problem(client.post("/commands/register_first_contact", json=[1, 2]),
             422, "invalid-request")


def test_an_unknown_command_is_not_found(client: TestClient) -> None:
    assert client.post("/commands/delete_everything", json={}).status_code == 404


def test_a_bad_cpr_is_refused_without_repeating_it(client: TestClient) -> None:
    for cpr in ("12345", 105031234):
        response = client.post("/commands/register_first_contact",
                               json={**FIRST_CONTACT, "cpr": cpr, "name": "Anne Testesen"})
        assert response.status_code == 422
        assert "12345" not in response.text and "Anne" not in response.text


# ------------------------------------------------------------------ domain errors


def test_invalid_command_error_is_422_naming_command_field_and_id(
        client: TestClient, young_person: str) -> None:
    response = client.post("/commands/assign_caseworker", json=_conversation(
        young_person, caseworker_id="Anne Jensen", team_id="team-1"))
    doc = _problem(response, 422, "invalid-command")
    assert doc["command"] == "assign_caseworker"
    assert doc["field"] == "caseworker_id" and doc["id"] == young_person
    assert "assign_caseworker: field 'caseworker_id'" in doc["detail"]
    assert "Anne" not in response.text


def test_a_fact_dated_in_the_future_is_422(client: TestClient, young_person: str) -> None:
    doc = _problem(client.post("/commands/hold_first_conversation",
                               json=_conversation(young_person, occurred_on="2100-01-01")),
                   422, "invalid-command")
    assert doc["field"] == "occurred_on"


def test_event_out_of_order_is_409(client: TestClient, order: str) -> None:
    response = client.post("/commands/start_education", json={
        "order_id": order, "occurred_on": "2024-08-12", "admission_id": "a-1"})
    doc = _problem(response, 409, "out-of-order")
    assert doc["command"] == "start_education" and doc["id"] == order
    assert "Admitted" in doc["detail"]


def test_an_event_dated_before_the_case_began_is_409(client: TestClient,
                                                     young_person: str) -> None:
    response = client.post("/commands/issue_order", json=_conversation(
        young_person, occurred_on="2023-12-01"))
    assert _problem(response, 409, "out-of-order")["id"] == young_person


def test_a_command_to_an_ended_order_is_409(command: Post, client: TestClient,
                                            order: str) -> None:
    command("end_order", order_id=order, occurred_on="2024-02-01",
            reason="other")
    response = client.post("/commands/propose_wish", json={
        "order_id": order, "occurred_on": "2024-02-02", "education_code": "eud-gf1"})
    doc = _problem(response, 409, "order-closed")
    assert doc["command"] == "propose_wish" and doc["id"] == order


def test_a_command_to_a_closed_retention_case_is_409(command: Post, client: TestClient,
                                                     young_person: str) -> None:
    case = command("report_risk_of_dropout", 201, young_person_id=young_person,
                   occurred_on="2024-03-01", institution_id="280727",
                   report_id="r-1", received_on="2024-03-01")["case_id"]
    command("close_retention_case", case_id=case, occurred_on="2024-03-05",
            outcome="no_action_needed")
    response = client.post("/commands/contact_young_person", json={
        "case_id": case, "occurred_on": "2024-03-06", "channel": "phone"})
    doc = _problem(response, 409, "case-closed")
    assert doc["id"] == case


@pytest.mark.parametrize("name,target", [
    ("hold_first_conversation", "young_person_id"),
    ("propose_wish", "order_id"),
    ("contact_young_person", "case_id"),
])
def test_an_unknown_case_is_404_naming_it(client: TestClient, name: str, target: str) -> None:
    body = {target: UNKNOWN, "occurred_on": "2024-01-09"}
    body |= {"propose_wish": {"education_code": "eud-gf1"},
             "contact_young_person": {"channel": "phone"}}.get(name, {})
    doc = _problem(client.post(f"/commands/{name}", json=body), 404, "unknown-case")
    assert doc["command"] == name and doc["id"] == UNKNOWN
    assert UNKNOWN in doc["detail"]


def test_an_order_id_given_as_a_young_person_is_404(client: TestClient, order: str) -> None:
    doc = _problem(client.post("/commands/hold_first_conversation",
                               json=_conversation(order)), 404, "unknown-case")
    assert doc["id"] == order


def test_registering_an_existing_young_person_id_again_is_409(client: TestClient,
                                                              young_person: str) -> None:
    response = client.post("/commands/register_first_contact",
                           json={**FIRST_CONTACT, "young_person_id": young_person})
    assert _problem(response, 409, "conflict")["command"] == "register_first_contact"


def test_a_general_mailbox_as_contact_is_refused(command: Post, client: TestClient,
                                                 order: str) -> None:
    response = client.post("/commands/send_data_til_institution", json={
        "order_id": order, "occurred_on": "2024-06-03", "admission_id": "a-1",
        "contact": {"contact_id": "cw-1", "kind": "person",
                                           "phone": "12345678", "email": "post@kk.dk"}})
    doc = _problem(response, 422, "invalid-message")
    assert "general mailbox" in doc["detail"] and doc["id"] == order


def test_a_contact_with_an_unknown_key_is_refused(client: TestClient, order: str) -> None:
    response = client.post("/commands/send_data_til_institution", json={
        "order_id": order, "occurred_on": "2024-06-03", "admission_id": "a-1",
        "contact": {"contact_id": "cw-1", "kind": "person",
                                           "name": "Anne"}})
    doc = _problem(response, 422, "invalid-request")
    assert doc["field"] == "contact.name" and "Anne" not in response.text


def test_nothing_is_recorded_when_a_command_is_refused(client: TestClient,
                                                       young_person: str) -> None:
    before = client.get(f"/cases/{young_person}/trail").json()
    client.post("/commands/hold_first_conversation",
                json=_conversation(young_person, occurred_on="2999-01-01"))
    client.post("/commands/hold_first_conversation",
                json=_conversation(young_person, extra=True))
    assert client.get(f"/cases/{young_person}/trail").json() == before


def test_an_unexpected_error_is_a_500_problem_that_shows_nothing_of_it(
        store: Any, young_person: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ungeforloeb_http import create_app

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire near 0105031234")

    monkeypatch.setattr(store, "hold_first_conversation", broken)
    with TestClient(create_app(store, http_settings()), raise_server_exceptions=False,
                    headers=bearer(make_token())) as client:
        response = client.post("/commands/hold_first_conversation",
                               json=_conversation(young_person))
    doc = _problem(response, 500, "internal")
    assert doc["command"] == "hold_first_conversation"
    assert "fire" not in response.text and "0105031234" not in response.text
