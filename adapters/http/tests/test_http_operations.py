"""Operations: /health says whether the store answers, /metrics counts requests, latencies and
events written, every request leaves one JSON log line with nothing of the request's values,
and /events pages through the log of the caller's municipality."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, Post, bearer, http_settings, make_token
from prometheus_client.parser import text_string_to_metric_families

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import create_app

OPERATOR = bearer(make_token("ops-1", "operator"))


def test_health_answers_without_a_token_with_the_store_position(
        anonymous: TestClient, young_person: str) -> None:
    answer = anonymous.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "position": 2}


def test_health_is_503_when_the_store_does_not_answer(tmp_path: Path) -> None:
    store = Ungeforloeb(tmp_path / "s.sqlite")
    with TestClient(create_app(store, http_settings())) as client:
        store.close()
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["type"] == "urn:ungeforloeb:problem:unavailable"


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = client.get("/metrics", headers=OPERATOR).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_requests_latencies_and_events_written(client: TestClient,
                                                             command: Post) -> None:
    yp = command("register_first_contact", 201, **FIRST_CONTACT)["young_person_id"]
    command("hold_first_conversation", young_person_id=yp, occurred_on="2024-01-09")
    client.post("/commands/hold_first_conversation", json={"young_person_id": yp})  # 422
    client.get(f"/cases/{yp}/status")
    samples = _samples(client)
    requests = "ungeforloeb_http_requests_total"
    assert samples[(requests, (("method", "POST"), ("operation", "hold_first_conversation"),
                               ("status", "200")))] == 1
    assert samples[(requests, (("method", "POST"), ("operation", "hold_first_conversation"),
                               ("status", "422")))] == 1
    assert samples[(requests, (("method", "GET"), ("operation", "case_status"),
                               ("status", "200")))] == 1
    assert samples[("ungeforloeb_http_request_duration_seconds_count",
                    (("operation", "register_first_contact"),))] == 1
    assert samples[("ungeforloeb_http_events_written_total", ())] == 2


def test_every_request_leaves_one_json_log_line_without_its_values(
        client: TestClient, young_person: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ungeforloeb_http.access"):
        client.get(f"/cases/{young_person}/trail", params={"order": "occurred"})
        client.get("/cases/0105031234/status")
    lines = [json.loads(r.getMessage()) for r in caplog.records
             if r.name == "ungeforloeb_http.access"]
    assert lines[0] == {"event": "request", "operation": "case_trail", "method": "GET",
                        "route": "/cases/{young_person_id}/trail", "status": 200,
                        "ms": lines[0]["ms"], "role": "caseworker"}
    assert lines[1]["status"] == 422 and lines[1]["route"] == "/cases/{young_person_id}/status"
    assert young_person not in caplog.text and "0105031234" not in caplog.text
    assert "occurred" not in caplog.text


def test_events_are_paged_per_municipality(client: TestClient, command: Post,
                                           young_person: str) -> None:
    for day in range(9, 14):
        command("hold_conversation", young_person_id=young_person,
                occurred_on=f"2024-01-{day:02d}", follows_up_current_step=True,
                education_focus=True)
    other = bearer(make_token("cw-8", municipality="851"))
    assert client.post("/commands/register_first_contact", headers=other, json={
        **FIRST_CONTACT, "municipality_code": "851"}).status_code == 201
    seen: list[dict[str, object]] = []
    after = 0
    while True:
        page = client.get("/events", params={"after": after, "limit": 2}).json()
        if not page["events"]:
            assert page["last_position"] >= after
            break
        assert len(page["events"]) <= 2
        seen += page["events"]
        after = page["last_position"]
    assert [e["type"] for e in seen] == ["FirstContactRegistered", "CaseworkerAssigned",
                                         *["ConversationHeld"] * 5]
    assert {e["stream_id"] for e in seen} == {young_person}
    assert [e["position"] for e in seen] == sorted(e["position"] for e in seen)
    assert seen[0]["payload"]["municipality_code"] == "101"  # type: ignore[index]
    theirs = client.get("/events", headers=other).json()["events"]
    assert [e["type"] for e in theirs] == ["FirstContactRegistered"]
