"""Two writers on one case, on SQLite and on PostgreSQL: two apps (as two processes would be)
on one store. The race is made deterministic by a hook in the first app's clock, which the
application reads after it has loaded the case and before it saves: there the second app records
its command. The loser is reloaded and re-run (``conflict_retries``), and when that is not
allowed gets 409 ``conflict`` naming the command and the case, without the driver's text. The
same for two registrations of one CPR number racing past the identity store's check."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, bearer, http_settings, make_token

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.identity import IdentityRecord, IdentityStore
from ungeforloeb.application.retry import retry_on_conflict
from ungeforloeb_http import create_app

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
TOKEN = bearer(make_token())
CPR = "0105031234"
POSTGRES = {"POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "test"),
            "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
            "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
            "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
            "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", "")}


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(dbname=POSTGRES["POSTGRES_DBNAME"], host=POSTGRES["POSTGRES_HOST"],
                           port=POSTGRES["POSTGRES_PORT"], user=POSTGRES["POSTGRES_USER"],
                           password=POSTGRES["POSTGRES_PASSWORD"], autocommit=True,
                           connect_timeout=3)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a fresh store: a SQLite file, or a new PostgreSQL schema (dropped
    after; unreachable server: skipped locally, failed when CI=true)."""
    if request.param == "sqlite":
        yield {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": str(tmp_path / "store.sqlite")}
        return
    try:
        with _connect() as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as err:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable: {err}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable: {err}")
    schema = "ungeforloeb_http_test_" + uuid.uuid4().hex[:12]
    with _connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield {"PERSISTENCE_MODULE": "eventsourcing.postgres", **POSTGRES,
               "POSTGRES_SCHEMA": schema}
    finally:
        with _connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class _Hook:
    """Runs ``action`` once, the next time it is armed and called."""

    def __init__(self) -> None:
        self.action: Callable[[], None] | None = None

    def fire(self) -> None:
        action, self.action = self.action, None
        if action is not None:
            action()


class _RacingIdentities:
    """The real identity store of the first app, with the race window made visible: after
    ``find_by_cpr`` has read its answer, the hook lets the other app register first."""

    def __init__(self, real: IdentityStore, hook: _Hook) -> None:
        self.real = real
        self.hook = hook

    def put(self, record: IdentityRecord) -> None:
        self.real.put(record)

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        return self.real.get(young_person_id)

    def find_by_cpr(self, cpr: str) -> UUID | None:
        found = self.real.find_by_cpr(cpr)
        self.hook.fire()
        return found

    def erase(self, young_person_id: UUID) -> bool:
        return self.real.erase(young_person_id)

    def close(self) -> None:
        getattr(self.real, "close", lambda: None)()

    def __getattr__(self, name: str) -> Any:
        # the personal-data store's keys and rows: the wrapper stands in for it whole
        return getattr(self.real, name)


@pytest.fixture
def two_writers(store_env: dict[str, str]) -> Iterator[Callable[..., Any]]:
    """``make(retries)``: (first client, second client, clock hook, identity hook) on one
    store."""
    opened: list[Ungeforloeb] = []

    def make(retries: int) -> tuple[TestClient, TestClient, _Hook, _Hook]:
        clock_hook, identity_hook = _Hook(), _Hook()

        def clock() -> datetime:
            clock_hook.fire()
            return datetime.now(tz=UTC)

        second = Ungeforloeb(env=store_env)
        first = Ungeforloeb(env=store_env, clock=clock)
        racing = _RacingIdentities(first.identities, identity_hook)
        if first.personal_data is first.identities:  # identities kept beside the events
            first.personal_data = racing  # type: ignore[assignment]
        first.identities = racing  # type: ignore[assignment]
        opened.extend([first, second])
        settings = http_settings(conflict_retries=retries)
        return (TestClient(create_app(first, settings), headers=TOKEN),
                TestClient(create_app(second, settings), headers=TOKEN),
                clock_hook, identity_hook)

    yield make
    for app in opened:
        app.close()
        getattr(app.identities, "close", lambda: None)()


def _conversation(client: TestClient, yp: str, day: str) -> Any:
    return client.post("/commands/hold_conversation", json={
        "young_person_id": yp, "occurred_on": day, "follows_up_current_step": True,
        "education_focus": True})


def test_the_loser_of_a_race_on_one_case_gets_409_naming_command_and_case(
        two_writers: Callable[..., Any]) -> None:
    first, second, clock_hook, _ = two_writers(0)
    yp = second.post("/commands/register_first_contact", json=FIRST_CONTACT).json()[
        "young_person_id"]
    clock_hook.action = lambda: _check(_conversation(second, yp, "2024-01-20"), 200)
    response = _conversation(first, yp, "2024-01-21")
    doc = _check(response, 409)
    assert doc["type"] == "urn:ungeforloeb:problem:conflict"
    assert doc["command"] == "hold_conversation" and doc["id"] == yp
    assert f"hold_conversation on {yp}: another writer was first" in doc["detail"]
    for driver_text in ("UNIQUE", "unique", "constraint", "duplicate key", "psycopg", "sqlite"):
        assert driver_text not in response.text
    trail = first.get(f"/cases/{yp}/trail").json()
    assert [e["occurred_on"] for e in trail if e["event_type"] == "ConversationHeld"] == [
        "2024-01-20"]


def test_the_loser_is_reloaded_and_re_run_when_retries_are_allowed(
        two_writers: Callable[..., Any]) -> None:
    first, second, clock_hook, _ = two_writers(2)
    yp = second.post("/commands/register_first_contact", json=FIRST_CONTACT).json()[
        "young_person_id"]
    clock_hook.action = lambda: _check(_conversation(second, yp, "2024-01-20"), 200)
    _check(_conversation(first, yp, "2024-01-21"), 200)
    trail = first.get(f"/cases/{yp}/trail").json()
    assert sorted(e["occurred_on"] for e in trail if e["event_type"] == "ConversationHeld") == [
        "2024-01-20", "2024-01-21"]


def test_two_registrations_of_one_cpr_racing_give_one_case_and_no_driver_text(
        two_writers: Callable[..., Any]) -> None:
    # The identity's CPR lookup key is written in the event's transaction: the store's unique
    # key decides the race at the write, and the loser is told the CPR is registered (the same
    # answer a retry would give), with or without retries.
    for retries, status, kind in ((0, 422, "invalid-command"), (1, 422, "invalid-command")):
        first, second, _, identity_hook = two_writers(retries)
        cpr = f"{CPR[:-1]}{retries}"
        body = {**FIRST_CONTACT, "cpr": cpr, "name": "Anne Testesen"}
        identity_hook.action = _registers(second, body)
        before = first.get("/events").json()["last_position"]
        response = first.post("/commands/register_first_contact", json=body)
        doc = _check(response, status)
        assert doc["type"] == f"urn:ungeforloeb:problem:{kind}"
        assert doc["command"] == "register_first_contact"
        for leaked in (cpr, "Anne", "UNIQUE", "unique", "duplicate key", "constraint"):
            assert leaked not in response.text
        if kind == "invalid-command":
            assert doc["field"] == "cpr"
        events = first.get("/events", params={"after": before}).json()["events"]
        assert [e["type"] for e in events] == ["FirstContactRegistered"]  # the winner's only


def _registers(client: TestClient, body: dict[str, Any]) -> Callable[[], None]:
    def register() -> None:
        _check(client.post("/commands/register_first_contact", json=body), 201)
    return register


def _check(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    doc: dict[str, Any] = response.json()
    return doc


def test_retry_on_conflict_re_runs_a_bounded_number_of_times() -> None:
    calls: list[int] = []

    def flaky(fail: int) -> str:
        calls.append(1)
        if len(calls) <= fail:
            raise sqlite3.IntegrityError("UNIQUE constraint failed")
        return "done"

    assert retry_on_conflict(flaky, 2, retries=2) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        retry_on_conflict(flaky, 3, retries=2)
    assert len(calls) == 3
    with pytest.raises(ValueError, match="retries"):
        retry_on_conflict(flaky, 0, retries=-1)

    def refused() -> None:
        calls.append(1)
        raise ValueError("a domain refusal is not retried")

    calls.clear()
    with pytest.raises(ValueError, match="not retried"):
        retry_on_conflict(refused, retries=5)
    assert len(calls) == 1
