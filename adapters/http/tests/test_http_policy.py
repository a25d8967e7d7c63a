"""Authorization, role by role: each role does what it may and is refused (403, before anything
is read or written) what it may not. A caseworker of municipality 101 can neither read, write
nor export a case of 851."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_adapter_support import EXAMPLE_ADMISSION, Post, bearer, make_token

from ungeforloeb.application import Ungeforloeb

CW_101 = bearer(make_token("cw-1"))
CW_851 = bearer(make_token("cw-8", municipality="851"))
AUDITOR_101 = bearer(make_token("aud-1", "auditor"))
INSTITUTION = bearer(make_token("udb-280727", "institution", institution="280727"))
OTHER_INSTITUTION = bearer(make_token("udb-999999", "institution", institution="999999"))
OPERATOR = bearer(make_token("ops-1", "operator"))


def _young_person(yp: str) -> dict[str, str]:
    return bearer(make_token("mitid-1", "young_person", young_person_id=yp))


@pytest.fixture
def world(client: TestClient, command: Post, order: str, young_person: str) -> dict[str, str]:
    """Case A of municipality 101 (admitted at institution 280727, notified), case B of 851."""
    command("admit", order_id=order, occurred_on="2024-06-01", admission_id="a-1",
            institution_id="280727", education_code="eud-gf1", starts_on="2024-08-12",
            qualifying=True)
    command("notify_institution", order_id=order, occurred_on="2024-06-05",
            admission_id="a-1", message_id="m-1")
    other = client.post("/commands/register_first_contact", headers=CW_851, json={
        "occurred_on": "2024-01-08", "municipality_code": "851", "birth_date": "2005-02-01"})
    assert other.status_code == 201, other.text
    return {"a": young_person, "order": order, "b": other.json()["young_person_id"]}


def _forbidden(response: Any, operation: str) -> dict[str, Any]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:forbidden" and doc["command"] == operation
    return doc


def _reads(yp: str) -> list[tuple[str, str]]:
    return [("case_status", f"/cases/{yp}/status"), ("case_trail", f"/cases/{yp}/trail"),
            ("explain", f"/cases/{yp}/verdicts/x22_risk_reaction?as_of=2024-06-30")]


# ------------------------------------------------------------------ caseworker


def test_a_caseworker_of_101_cannot_read_a_case_of_851(client: TestClient,
                                                       world: dict[str, str]) -> None:
    for operation, path in _reads(world["b"]):
        doc = _forbidden(client.get(path, headers=CW_101), operation)
        assert doc["id"] == world["b"] and "municipality 101" in doc["detail"]
    for operation, path in _reads(world["a"]):
        assert client.get(path, headers=CW_101).status_code == 200, operation


def test_a_caseworker_of_101_cannot_write_to_a_case_of_851(client: TestClient,
                                                           store: Ungeforloeb,
                                                           world: dict[str, str]) -> None:
    before = store.recorder.max_notification_id()
    _forbidden(client.post("/commands/hold_first_conversation", headers=CW_101, json={
        "young_person_id": world["b"], "occurred_on": "2024-01-09"}), "hold_first_conversation")
    _forbidden(client.post("/commands/register_first_contact", headers=CW_101, json={
        "occurred_on": "2024-01-08", "municipality_code": "851",
        "birth_date": "2005-02-01"}), "register_first_contact")
    _forbidden(client.post("/institution-messages", headers=CW_101, json={
        **EXAMPLE_ADMISSION, "young_person_id": world["b"]}), "receive_institution_message")
    assert store.recorder.max_notification_id() == before


def test_an_order_or_retention_case_is_scoped_by_its_young_person(
        client: TestClient, world: dict[str, str]) -> None:
    _forbidden(client.post("/commands/set_step_deadline", headers=CW_851, json={
        "order_id": world["order"], "occurred_on": "2024-01-10", "step": 1,
        "deadline": "2024-02-15"}), "set_step_deadline")
    assert client.post("/commands/set_step_deadline", headers=CW_101, json={
        "order_id": world["order"], "occurred_on": "2024-01-10", "step": 1,
        "deadline": "2024-02-15"}).status_code == 200


def test_a_caseworker_of_101_cannot_export_851_and_sees_only_101(
        client: TestClient, world: dict[str, str]) -> None:
    _forbidden(client.get("/export", params={"municipality": "851"}, headers=CW_101), "export")
    worklist = client.get("/worklist", params={"on": "2024-06-30"}, headers=CW_851).json()
    assert {i["young_person_id"] for i in worklist["items"]} <= {world["b"]}
    events = client.get("/events", headers=CW_851).json()["events"]
    assert {e["stream_id"] for e in events} == {world["b"]}
    compliance = client.get("/compliance", params={"as_of": "2024-06-30"},
                            headers=CW_851).json()
    assert {v["case_id"] for v in compliance["verdicts"]} == {world["b"]}


def test_a_caseworker_with_a_team_sees_that_teams_worklist(client: TestClient,
                                                            world: dict[str, str]) -> None:
    team_2 = bearer(make_token("cw-2", team="team-2"))
    answer = client.get("/worklist", params={"on": "2024-06-30"}, headers=team_2).json()
    assert answer["team"] == "team-2" and answer["items"] == []
    team_1 = bearer(make_token("cw-2", team="team-1"))
    assert client.get("/worklist", params={"on": "2024-06-30"}, headers=team_1).json()[
        "count"] > 0
    _forbidden(client.get("/worklist", params={"on": "2024-06-30", "team": "team-1"},
                          headers=team_2), "worklist")


# ------------------------------------------------------------------ institution


def test_an_institution_posts_only_its_own_reports(client: TestClient, store: Ungeforloeb,
                                                   world: dict[str, str]) -> None:
    report = {**EXAMPLE_ADMISSION, "young_person_id": world["a"]}
    before = store.recorder.max_notification_id()
    doc = _forbidden(client.post("/institution-messages", json=report,
                                 headers=OTHER_INSTITUTION), "receive_institution_message")
    assert "institution 999999" in doc["detail"]
    assert store.recorder.max_notification_id() == before
    answer = client.post("/institution-messages", json=report, headers=INSTITUTION)
    assert answer.status_code == 201, answer.text
    trail = client.get(f"/cases/{world['a']}/trail", headers=CW_101).json()
    assert trail[-1]["recorded_by"] == "udb-280727"


def test_an_institution_reads_the_notifications_sent_to_it_and_no_case(
        client: TestClient, world: dict[str, str]) -> None:
    page = client.get("/institution-messages/sent", headers=INSTITUTION).json()
    assert [(n["message_id"], n["admission_id"], n["young_person_id"], n["order_id"])
            for n in page["items"]] == [("m-1", "a-1", world["a"], world["order"])]
    assert client.get("/institution-messages/sent", headers=OTHER_INSTITUTION).json()[
        "items"] == []
    after = client.get("/institution-messages/sent", params={"after": page["last_position"]},
                       headers=INSTITUTION).json()
    assert after["items"] == []
    for operation, path in _reads(world["a"]):
        _forbidden(client.get(path, headers=INSTITUTION), operation)
    _forbidden(client.post("/commands/hold_first_conversation", headers=INSTITUTION, json={
        "young_person_id": world["a"], "occurred_on": "2024-01-09"}), "hold_first_conversation")
    _forbidden(client.get("/institution-messages/sent", headers=CW_101),
               "institution_notifications")


# ------------------------------------------------------------------ auditor


def test_an_auditor_reads_compliance_explanations_and_the_export_and_writes_nothing(
        client: TestClient, store: Ungeforloeb, world: dict[str, str]) -> None:
    assert client.get("/compliance", params={"as_of": "2024-06-30"},
                      headers=AUDITOR_101).status_code == 200
    assert client.get(f"/cases/{world['a']}/verdicts/x22_risk_reaction",
                      params={"as_of": "2024-06-30"}, headers=AUDITOR_101).status_code == 200
    assert client.get("/events", headers=AUDITOR_101).status_code == 200
    _forbidden(client.get(f"/cases/{world['b']}/verdicts/x22_risk_reaction",
                          params={"as_of": "2024-06-30"}, headers=AUDITOR_101), "explain")
    _forbidden(client.get(f"/cases/{world['a']}/status", headers=AUDITOR_101), "case_status")
    _forbidden(client.get("/worklist", params={"on": "2024-06-30"}, headers=AUDITOR_101),
               "worklist")
    before = store.recorder.max_notification_id()
    _forbidden(client.post("/commands/hold_first_conversation", headers=AUDITOR_101, json={
        "young_person_id": world["a"], "occurred_on": "2024-01-09"}), "hold_first_conversation")
    _forbidden(client.post("/institution-messages", headers=AUDITOR_101, json={
        **EXAMPLE_ADMISSION, "young_person_id": world["a"]}), "receive_institution_message")
    assert store.recorder.max_notification_id() == before


# ------------------------------------------------------------------ young person


def test_a_young_person_reads_their_own_case_and_nothing_else(
        client: TestClient, world: dict[str, str]) -> None:
    me = _young_person(world["a"])
    for operation, path in _reads(world["a"]):
        assert client.get(path, headers=me).status_code == 200, operation
    for operation, path in _reads(world["b"]):
        doc = _forbidden(client.get(path, headers=me), operation)
        assert "their own case" in doc["detail"]
    for path in ("/events", "/export", "/compliance?as_of=2024-06-30",
                 "/worklist?on=2024-06-30", "/metrics", "/institution-messages/sent"):
        assert client.get(path, headers=me).status_code == 403, path
    _forbidden(client.post("/commands/hold_first_conversation", headers=me, json={
        "young_person_id": world["a"], "occurred_on": "2024-01-09"}), "hold_first_conversation")


# ------------------------------------------------------------------ operator


def test_an_operator_reads_health_and_metrics_and_no_case(client: TestClient,
                                                          world: dict[str, str]) -> None:
    assert client.get("/metrics", headers=OPERATOR).status_code == 200
    assert client.get("/health", headers=OPERATOR).status_code == 200
    _forbidden(client.get("/metrics", headers=CW_101), "metrics")
    for operation, path in _reads(world["a"]):
        _forbidden(client.get(path, headers=OPERATOR), operation)
    for path in ("/events", "/export", "/compliance?as_of=2024-06-30"):
        assert client.get(path, headers=OPERATOR).status_code == 403, path
