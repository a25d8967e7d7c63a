"""Limits and errors at the edge: bodies capped (413), strings and dates bounded (422), every
error a problem document (400, 404, 405 too), and no problem or log line ever repeating a value
that was sent — a name or a CPR number least of all (property test)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, bearer, http_settings, make_token
from hypothesis import given, settings
from hypothesis import strategies as st

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import create_app

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    doc: dict[str, Any] = response.json()
    assert doc["type"] == f"urn:ungeforloeb:problem:{kind}" and doc["status"] == status
    return doc


# ------------------------------------------------------------------ sizes


def test_a_10_mb_body_is_413_and_nothing_is_recorded(client: TestClient,
                                                     store: Ungeforloeb) -> None:
    body = b'{"occurred_on": "2024-01-08", "name": "' + b"A" * (10 << 20) + b'"}'
    for path in ("/commands/register_first_contact", "/institution-messages"):
        doc = _problem(client.post(path, content=body,
                                   headers={"content-type": "application/json"}),
                       413, "too-large")
        assert "1048576 bytes" in doc["detail"]
    assert store.recorder.max_notification_id() in (0, None)


def test_a_body_without_content_length_is_counted_as_it_arrives(store: Ungeforloeb) -> None:
    def chunks() -> Iterator[bytes]:  # sent chunked (no Content-Length)
        yield b'{"name": "'
        for _ in range(64):
            yield b"A" * 65536
        yield b'"}'

    api = create_app(store, http_settings(max_body_bytes=100_000))
    with TestClient(api, headers=bearer(make_token())) as client:
        response = client.post("/commands/register_first_contact", content=chunks(),
                               headers={"content-type": "application/json"})
        assert "content-length" not in response.request.headers
    assert "100000 bytes" in _problem(response, 413, "too-large")["detail"]


def test_a_declared_length_over_the_cap_is_refused_before_the_body(client: TestClient) -> None:
    response = client.post("/commands/register_first_contact", content=b"{}",
                           headers={"content-type": "application/json",
                                    "content-length": str(50 << 20)})
    _problem(response, 413, "too-large")


def test_a_string_over_256_characters_is_422(client: TestClient) -> None:
    doc = _problem(client.post("/commands/register_first_contact", json={
        **FIRST_CONTACT, "cpr": "0105031234", "name": "A" * 257}), 422, "invalid-request")
    assert doc["field"] == "name" and "256" in doc["errors"][0]["message"]
    assert "AAAA" not in str(doc)


@pytest.mark.parametrize("url,field", [
    ("/worklist?on=9999-12-31", "on"),
    ("/worklist?on=0001-01-01", "on"),
    ("/compliance?as_of=9999-12-31", "as_of"),
    ("/export?as_of=9999-12-31", "as_of"),
    ("/export?exported_at=9999-12-31T23:59:59%2B00:00", "exported_at"),
    ("/cases/{yp}/status?as_of=9999-12-31", "as_of"),
    ("/cases/{yp}/trail?late_after=99999999999999999999", "late_after"),
    ("/events?after=-1", "after"),
    ("/events?limit=100000", "limit"),
])
def test_dates_and_numbers_out_of_range_are_422(client: TestClient, young_person: str,
                                                url: str, field: str) -> None:
    doc = _problem(client.get(url.replace("{yp}", young_person)), 422, "invalid-request")
    assert doc["field"] == field


def test_a_body_date_out_of_range_is_422(client: TestClient, young_person: str) -> None:
    doc = _problem(client.post("/commands/hold_first_conversation", json={
        "young_person_id": young_person, "occurred_on": "9999-12-31"}), 422, "invalid-request")
    assert doc["field"] == "occurred_on" and "2199-12-31" in doc["detail"]


# ------------------------------------------------------------------ the router's own errors


def test_an_unknown_route_is_a_404_problem_that_repeats_nothing(client: TestClient) -> None:
    response = client.get("/cases/0105031234/everything")
    doc = _problem(response, 404, "not-found")
    assert "0105031234" not in response.text and "instance" not in doc


def test_a_wrong_method_is_a_405_problem_naming_the_allowed(client: TestClient) -> None:
    response = client.get("/commands/register_first_contact")
    doc = _problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST" and "POST" in doc["detail"]


def test_a_path_parameter_is_never_repeated(client: TestClient) -> None:
    response = client.get("/cases/0105031234/status")
    doc = _problem(response, 422, "invalid-request")
    assert doc["instance"] == "/cases/{young_person_id}/status"
    assert "0105031234" not in response.text


def test_docs_and_their_assets_are_served_by_the_app(anonymous: TestClient) -> None:
    page = anonymous.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "/docs-assets/redoc.standalone.js" in anonymous.get("/redoc").text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = anonymous.get(f"/docs-assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 100_000


# ------------------------------------------------------------------ nothing sent comes back

cprs = st.builds(lambda d, m, y, s, dash: f"{d:02d}{m:02d}{y:02d}{'-' if dash else ''}{s:04d}",
                 st.integers(1, 28), st.integers(1, 12), st.integers(0, 99),
                 st.integers(0, 9999), st.booleans())
names = st.builds(lambda a, b: f"{a} {b}",
                  st.sampled_from(["Anne", "Mads", "Sofie", "Ærø", "Jens-Ole", "Zoë"]),
                  st.sampled_from(["Testesen", "Jensen", "Østergård", "Nielsen"]))
FIELDS = ["cpr", "name", "recorded_by", "occurred_on", "municipality_code", "birth_date",
          "young_person_id", "caseworker_id", "team_id", "admission_id", "education_code"]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "httpcore", "hpack")):  # the client's own
            self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[TestClient, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Ungeforloeb(Path(tmp) / "store.sqlite")
        client = TestClient(create_app(store, http_settings()), headers=bearer(make_token()),
                            raise_server_exceptions=False)
        yp = client.post("/commands/register_first_contact", json=FIRST_CONTACT).json()[
            "young_person_id"]
        yield client, yp
        store.close()


@settings(max_examples=60, deadline=None)
@given(cpr=cprs, name=names, where=st.sampled_from(
    ["value", "key", "nested", "path", "query", "query-key", "inbound", "raw", "route"]),
    field=st.sampled_from(FIELDS),
    command=st.sampled_from(["register_first_contact", "assign_caseworker", "admit",
                             "hold_first_conversation"]))
def test_a_name_or_cpr_sent_in_a_bad_request_is_never_in_the_answer_or_the_log(
        world: tuple[TestClient, str], cpr: str, name: str, where: str, field: str,
        command: str) -> None:
    client, yp = world
    secret = f"{name} {cpr}"
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        body: dict[str, Any] = {"young_person_id": yp, "occurred_on": "2024-01-09"}
        if where == "value":
            response = client.post(f"/commands/{command}", json={**body, field: secret})
        elif where == "key":
            response = client.post(f"/commands/{command}", json={**body, secret: 1, cpr: 2})
        elif where == "nested":
            response = client.post(f"/commands/{command}", json={**body, field: {
                "x": [secret, cpr, name]}})
        elif where == "path":
            response = client.get(f"/cases/{quote(secret)}/trail")
        elif where == "query":
            response = client.get("/worklist", params={"on": "2024-01-09", "caseworker": cpr,
                                                        "team": secret})
        elif where == "query-key":
            response = client.get("/worklist", params={"on": cpr, secret: "1"})
        elif where == "inbound":
            response = client.post("/institution-messages", json={
                "type": "Optagelse", "young_person_id": yp, field: secret, cpr: name,
                "provenance": {"haendelse_nummer": cpr, "institution_id": name}})
        elif where == "raw":
            response = client.post(f"/commands/{command}", content=(
                '{"name": "' + secret + '", ').encode("latin-1", errors="replace"),
                headers={"content-type": "application/json"})
        else:
            response = client.post(f"/{quote(secret)}", json={"cpr": cpr})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert response.status_code < 500, response.text
    text = response.text + "\n".join(handler.lines)
    digits = cpr.replace("-", "")
    for value in (cpr, digits, name, name.split()[0], name.split()[1]):
        assert value not in text, (where, field, value, text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
