"""Queries over HTTP: each answers what the library's own projection answers for the store."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, Post, bearer, make_token

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.interchange.export import export_log
from ungeforloeb.interchange.verify import verify_log
from ungeforloeb.projections.audit_trail import audit_trail
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case
from ungeforloeb.projections.status import case_status
from ungeforloeb.projections.worklist import worklist
from ungeforloeb_http.queries import plain

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def as_json(value: Any) -> Any:
    """``value`` as it reads after a trip through JSON (tuples become lists)."""
    return orjson.loads(orjson.dumps(value))


@pytest.fixture
def case(command: Post, order: str, young_person: str) -> dict[str, str]:
    """A case with a first conversation, a visitation and a step deadline that falls due."""
    by: dict[str, str] = {}
    command("hold_first_conversation", young_person_id=young_person, occurred_on="2024-01-09",
            **by)
    command("visitate", young_person_id=young_person, occurred_on="2024-01-09", stage="final",
            group="UP", perspective_recorded=True, justification_recorded=True, **by)
    command("set_step_deadline", order_id=order, occurred_on="2024-01-10", step=1,
            deadline="2024-02-15", **by)
    return {"young_person": young_person, "order": order}


def test_status_is_the_status_projection_of_the_case(client: TestClient, store: Ungeforloeb,
                                                     case: dict[str, str]) -> None:
    yp = case["young_person"]
    answer = client.get(f"/cases/{yp}/status").json()
    assert answer == as_json(plain(case_status(store.case_file(UUID(yp)).facts())))
    assert answer["group"] == "UP" and answer["caseworker_id"] == "cw-1"
    assert answer["orders"][0]["order_id"] == case["order"]
    assert answer["orders"][0]["deadlines"] == [
        {"step": 1, "deadline": "2024-02-15", "times_moved": 0}]


def test_status_as_of_a_day_before_the_order_shows_no_order(client: TestClient,
                                                            case: dict[str, str]) -> None:
    answer = client.get(f"/cases/{case['young_person']}/status",
                        params={"as_of": "2024-01-09"}).json()
    assert answer["orders"] == [] and answer["group"] == "UP"


def test_trail_is_the_audit_trail_of_the_case(client: TestClient, store: Ungeforloeb,
                                              case: dict[str, str]) -> None:
    yp = case["young_person"]
    answer = client.get(f"/cases/{yp}/trail").json()
    expected = as_json([plain(e) for e in audit_trail(store.case_file(UUID(yp)))])
    assert answer == expected
    assert [e["event_type"] for e in answer][:2] == ["FirstContactRegistered",
                                                     "CaseworkerAssigned"]
    by_day = client.get(f"/cases/{yp}/trail", params={"order": "occurred",
                                                      "late_after": 36500}).json()
    assert [e["occurred_on"] for e in by_day] == sorted(e["occurred_on"] for e in answer)
    assert not any(e["late"] for e in by_day)


def test_worklist_is_the_worklist_of_the_store(client: TestClient, store: Ungeforloeb,
                                               case: dict[str, str]) -> None:
    answer = client.get("/worklist", params={"on": "2024-02-20", "caseworker": "cw-1"}).json()
    expected = worklist(store.case_files().values(), date(2024, 2, 20), caseworker="cw-1")
    assert answer["items"] == as_json([plain(i) for i in expected])
    assert answer["count"] == len(expected) and answer["on"] == "2024-02-20"
    deadline = [i for i in answer["items"] if i["kind"] == "deadline"]
    assert deadline[0]["due_on"] == "2024-02-15" and deadline[0]["overdue"] is True
    assert client.get("/worklist", params={"on": "2024-02-20", "team": "team-x"}).json()[
        "items"] == []
    known = client.get("/worklist", params={"on": "2024-02-20", "known_at": "2024-01-01"})
    assert known.json()["items"] == [] and known.json()["known_at"] == "2024-01-01"


def test_worklist_from_the_kept_verdicts_is_the_live_worklist(
        client: TestClient, store: Ungeforloeb, case: dict[str, str], command: Post,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ungeforloeb.application.kept import KeptVerdicts
    from ungeforloeb_http import queries

    other = str(command("register_first_contact", 201, **FIRST_CONTACT)["young_person_id"])
    command("assign_caseworker", young_person_id=other, occurred_on="2024-01-08",
            caseworker_id="cw-2", team_id="team-2")
    # a case of another municipality, in the same store: never in municipality 101's answer
    with TestClient(client.app, headers=bearer(make_token(sub="cw-9", municipality="102"))) \
            as elsewhere:
        far = elsewhere.post("/commands/register_first_contact",
                             json={**FIRST_CONTACT, "municipality_code": "102"})
        assert far.status_code == 201, far.text
        assert elsewhere.post("/commands/assign_caseworker", json={
            "young_person_id": far.json()["young_person_id"], "occurred_on": "2024-01-08",
            "caseworker_id": "cw-2", "team_id": "team-2"}).status_code == 200
    asked = [{"on": "2024-02-20"}, {"on": "2024-02-20", "caseworker": "cw-1"},
             {"on": "2024-02-20", "team": "team-2"}, {"on": "2024-03-05"}]
    live = [client.get("/worklist", params=p).content for p in asked]
    assert b'"count":0' not in live[0]
    KeptVerdicts(store).update(date(2024, 2, 20))

    def judged(*args: Any, **kwargs: Any) -> Any:
        judged.calls += 1  # type: ignore[attr-defined]
        return worklist(*args, **kwargs)

    judged.calls = 0  # type: ignore[attr-defined]
    monkeypatch.setattr(queries, "worklist", judged)
    kept = [client.get("/worklist", params=p).content for p in asked]
    assert kept == live
    assert judged.calls == 1  # only the day the verdicts are not kept for was judged live
    # a new event: the kept verdicts are behind the store, so the live judge answers
    command("assign_caseworker", young_person_id=other, occurred_on="2024-02-01",
            caseworker_id="cw-3", team_id="team-2")
    client.get("/worklist", params=asked[2])
    assert judged.calls == 2


def test_compliance_is_the_report_as_json(client: TestClient, store: Ungeforloeb,
                                          case: dict[str, str]) -> None:
    response = client.get("/compliance", params={"as_of": "2024-06-30"})
    assert response.headers["content-type"].startswith("application/json")
    expected = evaluate_all(store.case_files().values(), date(2024, 6, 30))
    assert response.content == expected.to_json()
    assert orjson.loads(response.content)["digest"] == expected.digest()


def test_a_verdict_is_explained(client: TestClient, store: Ungeforloeb,
                                case: dict[str, str]) -> None:
    yp = case["young_person"]
    verdicts = evaluate_case(store.case_file(UUID(yp)), date(2024, 6, 30))
    rule = next(v for v in verdicts if v.clock_start is not None).rule_id
    answer = client.get(f"/cases/{yp}/verdicts/{rule}", params={"as_of": "2024-06-30"}).json()
    assert answer["rule_id"] == rule and answer["case_id"] == yp
    ours = [v.to_dict() for v in verdicts if v.rule_id == rule]
    assert [{k: v for k, v in d.items() if k != "explain"} for d in answer["verdicts"]] == ours
    first = answer["verdicts"][0]
    assert first["explain"]["clock_started_by"].startswith(first["clock_start"]["type"])


def test_export_streams_a_log_that_verifies_and_equals_the_library_export(
        client: TestClient, store: Ungeforloeb, case: dict[str, str]) -> None:
    params = {"exported_at": "2025-01-01T00:00:00+00:00", "as_of": "2024-12-31"}
    with client.stream("GET", "/export", params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        body = b"".join(response.iter_bytes())
    expected = io.BytesIO()
    from datetime import UTC, datetime

    export_log(store, expected, exported_at=datetime(2025, 1, 1, tzinfo=UTC),
               as_of=date(2024, 12, 31))
    assert body == expected.getvalue()
    verify_log(io.BytesIO(body), recompute_digest=True)


def test_export_of_many_events_streams_in_chunks(command: Post, client: TestClient,
                                                 young_person: str) -> None:
    for day in range(1, 29):
        command("hold_conversation", young_person_id=young_person,
                occurred_on=f"2024-02-{day:02d}",
                follows_up_current_step=True, education_focus=True)
    with client.stream("GET", "/export") as response:
        lines = b"".join(response.iter_bytes()).splitlines()
    assert len(lines) == 2 + 2 + 28


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("path", ["status", "trail", "verdicts/x22_risk_reaction?as_of=2024-01-01"])
def test_an_unknown_case_is_404(client: TestClient, path: str) -> None:
    response = client.get(f"/cases/{UNKNOWN}/{path}")
    assert response.status_code == 404
    doc = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:unknown-case" and doc["id"] == UNKNOWN


def test_an_unknown_rule_is_404_naming_the_rules(client: TestClient, young_person: str) -> None:
    response = client.get(f"/cases/{young_person}/verdicts/no_such_rule",
                          params={"as_of": "2024-06-30"})
    assert response.status_code == 404
    doc = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:unknown-rule" and doc["field"] == "rule_id"
    assert "x22_risk_reaction" in doc["detail"]


@pytest.mark.parametrize("url,field", [
    ("/worklist", "on"),
    ("/worklist?on=2024-2-1", "on"),
    ("/worklist?on=2024-02-01T00:00", "on"),
    ("/worklist?on=2024-02-01&known_at=yesterday", "known_at"),
    ("/worklist?on=2024-02-01&casewroker=cw-1", "casewroker"),
    ("/compliance", "as_of"),
    ("/compliance?as_of=2024-06-31", "as_of"),
    ("/cases/not-a-uuid/status", "young_person_id"),
    ("/export?as_of=31-12-2024", "as_of"),
    ("/export?exported_at=2025-01-01T00:00:00", "exported_at"),
    ("/cases/{yp}/trail?order=sideways", "order"),
    ("/cases/{yp}/trail?late_after=-1", "late_after"),
    ("/cases/{yp}/status?as_of=2024-06-30&known=1", "known"),
])
def test_query_parameters_are_checked_strictly(client: TestClient, young_person: str,
                                               url: str, field: str) -> None:
    response = client.get(url.replace("{yp}", young_person))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field


def test_export_refused_before_a_byte_when_the_store_holds_two_municipalities(
        command: Post, client: TestClient) -> None:
    command("register_first_contact", 201, occurred_on="2024-01-08", municipality_code="101",
            birth_date="2004-05-17")
    client.post("/commands/register_first_contact", headers=bearer(make_token(
        "cw-9", municipality="147")), json={"occurred_on": "2024-01-08",
                                            "municipality_code": "147",
                                            "birth_date": "2004-05-17"})
    for params in ({}, {"municipality": "101"}):
        with client.stream("GET", "/export", params=params) as response:
            body = b"".join(response.iter_bytes())
        assert response.status_code == 409
        doc = orjson.loads(body)
        assert doc["type"] == "urn:ungeforloeb:problem:export-refused"
        assert "more than one" in doc["detail"]


def test_the_group_on_a_day_and_its_flows_are_the_librarys_figures(
        client: TestClient, store: Ungeforloeb, case: dict[str, str]) -> None:
    from ungeforloeb.projections.management import flows, status_on, timelines

    lines = timelines(store.case_files().values())
    answer = client.get("/management/status-on", params={"on": "2024-06-30", "cap": "10"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {**status_on(lines, date(2024, 6, 30), cap=10).to_dict(),
                             "source": "events"}
    assert answer.json()["total"] >= 1
    found = client.get("/management/flows", params={"from": "2024-01-01", "to": "2024-06-30"})
    assert found.status_code == 200, found.text
    assert found.json()["flows"] == [
        r.to_dict() for r in flows(lines, date(2024, 1, 1), date(2024, 6, 30))]
    empty = client.get("/management/flows", params={"from": "2024-06-30", "to": "2024-01-01"})
    assert empty.status_code == 200 and empty.json()["flows"] == []


def test_a_kept_store_answers_the_group_and_its_flows_from_its_kept_timelines(
        client: TestClient, store: Ungeforloeb, case: dict[str, str], command: Post) -> None:
    from ungeforloeb.application.kept import KeptVerdicts

    params = [("/management/status-on", {"on": "2024-06-30", "cap": "10"}),
              ("/management/flows", {"from": "2024-01-01", "to": "2024-12-31",
                                     "every": "week"})]
    client.post("/commands/register_first_contact", headers=bearer(make_token(
        "cw-9", municipality="147")), json={"occurred_on": "2024-03-04",
                                            "municipality_code": "147",
                                            "birth_date": "2004-05-17"})  # not this caller's
    live = [client.get(path, params=p).json() for path, p in params]
    KeptVerdicts(store).update(date(2024, 7, 1))
    kept = [client.get(path, params=p).json() for path, p in params]
    assert [k.pop("source") for k in kept] == ["kept", "kept"]
    assert [k.pop("source") for k in live] == ["events", "events"]
    assert kept == live and kept[0]["total"] >= 1
    known = client.get("/management/status-on", params={"on": "2024-06-30",
                                                         "known_at": "2024-07-01"})
    assert known.json()["source"] == "events"
    command("register_first_contact", 201, occurred_on="2024-06-01", municipality_code="101",
            birth_date="2003-02-01")
    behind = client.get("/management/status-on", params={"on": "2024-06-30"}).json()
    assert behind["source"] == "events"
