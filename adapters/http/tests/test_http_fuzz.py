"""Property: whatever JSON a client sends, the answer is the command's answer or a problem
document (404, 409 or 422) naming the command — never a server error, and never the CPR number
or the name sent as ``cpr`` and ``name``."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from http_adapter_support import FIRST_CONTACT, bearer, http_settings, make_token

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import create_app
from ungeforloeb_http.commands import COMMANDS, request_model
from ungeforloeb_http.inbound import EXAMPLE

CPR = "0105031234"
NAME = "Anne Testesen"
ALLOWED = {200, 201, 400, 404, 409, 422}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)


def _plausible(ids: dict[str, str]) -> st.SearchStrategy[Any]:
    return st.sampled_from([
        *ids.values(), "2024-01-09", "2024-06-01", "2999-01-01", "2024-02-30", "cw-1",
        "team-1", "101", "280727", "eud-gf1", "a-1", "UP", "AP", "preliminary", "final",
        "person", "team", "phone", "illness", "other", 1, 2, 3, True, False, None,
        {"contact_id": "cw-1", "kind": "person", "phone": "12345678",
         "email": "anne.jensen@kk.dk"}])


def _world(tmp: Path) -> tuple[Ungeforloeb, TestClient, dict[str, str]]:
    store = Ungeforloeb(tmp / "store.sqlite")
    client = TestClient(create_app(store, http_settings()), raise_server_exceptions=True,
                        headers=bearer(make_token()))
    yp = client.post("/commands/register_first_contact", json=FIRST_CONTACT).json()[
        "young_person_id"]
    by = {"occurred_on": "2024-01-10"}
    order = client.post("/commands/issue_order", json={"young_person_id": yp, **by}).json()[
        "order_id"]
    case = client.post("/commands/report_risk_of_dropout", json={
        "young_person_id": yp, **by, "institution_id": "280727", "report_id": "r-1",
        "received_on": "2024-01-10"}).json()["case_id"]
    return store, client, {"young_person_id": yp, "order_id": order, "case_id": case}


def _check(response: Any, command: str) -> None:
    assert response.status_code in ALLOWED, (command, response.status_code, response.text)
    assert CPR not in response.text and NAME not in response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        doc = response.json()
        assert doc["status"] == response.status_code and doc["command"] == command


def test_any_command_body_gets_an_answer_or_a_problem_document() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, client, ids = _world(Path(tmp))
        fields = {c.name: list(request_model(c).model_fields) for c in COMMANDS}

        @given(st.data())
        def post_anything(data: st.DataObject) -> None:
            command = data.draw(st.sampled_from(COMMANDS)).name
            body: dict[str, Any] = {}
            for name in fields[command]:
                choice = data.draw(st.sampled_from(["plausible", "plausible", "junk", "omit"]))
                if name in ("cpr", "name") and choice != "omit":
                    body[name] = data.draw(st.sampled_from([CPR, NAME, "12345", 105031234]))
                elif choice == "plausible":
                    body[name] = data.draw(_plausible(ids))
                elif choice == "junk":
                    body[name] = data.draw(json_values)
            if data.draw(st.booleans()):
                body[data.draw(st.text(min_size=1, max_size=8))] = data.draw(json_values)
            _check(client.post(f"/commands/{command}", json=body), command)

        try:
            post_anything()
        finally:
            client.close()
            store.close()


def test_any_inbound_message_gets_an_answer_or_a_problem_document() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, client, ids = _world(Path(tmp))
        base = {**EXAMPLE, "young_person_id": ids["young_person_id"]}

        @given(st.data(), st.sampled_from(["Optagelse", "RisikoForFrafald", "Gennemfoerelse"]))
        def post_anything(data: st.DataObject, kind: str) -> None:
            message = dict(base, type=kind)
            if kind != "Optagelse":
                message.pop("starts_on")
            if kind == "Gennemfoerelse":
                message.pop("school_municipality_code")
            provenance = dict(message["provenance"])  # type: ignore[call-overload]
            provenance["haendelse_nummer"] = data.draw(st.sampled_from(["h-1", "h-2", "h-3"]))
            message["provenance"] = provenance
            out = dict(message)
            target = out
            if data.draw(st.booleans()):
                out["provenance"] = target = dict(provenance)
            key = data.draw(st.sampled_from(sorted(target)))
            action = data.draw(st.sampled_from(["drop", "junk", "extra", "keep"]))
            if action == "drop":
                del target[key]
            elif action == "junk":
                target[key] = data.draw(json_values)
            elif action == "extra":
                target[data.draw(st.text(min_size=1, max_size=8))] = data.draw(json_values)
            _check(client.post("/institution-messages", json=out),
                   "receive_institution_message")

        try:
            post_anything()
        finally:
            client.close()
            store.close()
