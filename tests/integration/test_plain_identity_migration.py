"""A store written by an older version — CPR number and name in the plain columns of
``identity_record``, the birth date in the clear in ``FirstContactRegistered`` — is migrated
when opened: in one transaction, identities sealed and found by their keyed hash, birth dates
sealed, orphans dropped, the plain table gone; on SQLite no CPR number, name or birth date is
left anywhere in the file (``strings``); a crash mid-way leaves the old form or the new."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from test_kill_points import _orphans

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.migration import PENDING_TABLE, PLAIN_TABLE
from ungeforloeb.application.personal import TOKEN
from ungeforloeb.projections.compliance import evaluate_all

BORN = date(2004, 5, 1)


def _person(i: int) -> tuple[str, str, date]:
    return (f"{1 + i % 28:02d}05{i % 100:02d}-{1000 + i}", f"Navn{i} Efternavnsen{i}",
            date(2000 + i % 5, 1 + i % 12, 1 + i % 28))


def _plain_table(kind: str, env: dict[str, str]) -> str:
    if kind == "sqlite":
        return PLAIN_TABLE
    return f'"{env["POSTGRES_SCHEMA"]}".{PLAIN_TABLE}'


def make_old_store(kind: str, env: dict[str, str], n: int) -> list[UUID]:
    """Write a store as an older version did: events with the birth date in the clear, no data
    keys, and identity records in plain columns (plus one orphan: an identity without event,
    as an older version's crash left them)."""
    app = Ungeforloeb(env=env, clock=SettableClock(date(2024, 9, 2)))
    app.mapper.personal = None  # the older mapper: nothing sealed
    people = []
    with app.batch():
        for i in range(n):
            people.append(app.register_first_contact(
                occurred_on=date(2024, 1, 2), recorded_by="cw-1", municipality_code="101",
                birth_date=_person(i)[2]))
    p = "?" if kind == "sqlite" else "%s"
    uuid_type = "TEXT" if kind == "sqlite" else "uuid"
    table = _plain_table(kind, env)
    rows = [(str(y) if kind == "sqlite" else y, *_person(i)[:2]) for i, y in enumerate(people)]
    orphan = uuid4()
    rows.append((str(orphan) if kind == "sqlite" else orphan, "311299-9999", "Orphan Orphansen"))
    with app.recorder.datastore.transaction(commit=True) as c:
        c.execute(f"DELETE FROM {app.recorder.key_table}")
        c.execute(f"CREATE TABLE {table} (young_person_id {uuid_type} PRIMARY KEY,"
                  " cpr TEXT NOT NULL UNIQUE, name TEXT NOT NULL)")
        for row in rows:
            c.execute(f"INSERT INTO {table} (young_person_id, cpr, name) VALUES ({p}, {p}, {p})",
                      row)
    app.close()
    return people


def _file_bytes(env: dict[str, str]) -> bytes:
    path = Path(env["SQLITE_DBNAME"])
    return b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal", "-shm")
                    if Path(str(path) + s).exists())


def test_an_older_store_is_migrated_on_open_and_keeps_nothing_plain(backend):
    people = make_old_store(backend.kind, backend.env, 20)
    if backend.kind == "sqlite":
        before = _file_bytes(backend.env)
        assert b"Efternavnsen3" in before and _person(3)[0].encode() in before

    app = backend.app()

    assert app.migrated is not None
    assert (app.migrated.identities, app.migrated.orphans, app.migrated.birth_dates) == (20, 1, 20)
    for i, person in enumerate(people):
        cpr, name, born = _person(i)
        assert app.identities.find_by_cpr(cpr.replace("-", "")) == person
        record = app.identity(person)
        assert record is not None and (record.cpr, record.name) == (cpr.replace("-", ""), name)
        assert app.repository.get(person).birth_date == born
    assert app.identities.find_by_cpr("3112999999") is None  # the orphan is dropped
    assert _orphans(app) == {"identity without event": set(), "identity without key": set(),
                             "event without key": set(), "key without event": set()}
    with app.recorder.datastore.transaction(commit=False) as c:
        table = app.recorder.events_table_name
        if backend.kind == "postgres":
            table = f'"{backend.env["POSTGRES_SCHEMA"]}".{table}'
            c.execute("SELECT to_regclass(%s) AS t", (_plain_table("postgres", backend.env),))
            assert c.fetchone()["t"] is None
        c.execute(f"SELECT state FROM {table}")
        states = b" ".join(bytes(r["state"] if isinstance(r, dict) else r[0])
                           for r in c.fetchall())
    assert TOKEN.encode() in states and _person(3)[2].isoformat().encode() not in states
    if backend.kind == "sqlite":
        after = _file_bytes(backend.env)
        for i in range(21):
            cpr, name, born = _person(i) if i < 20 else ("311299-9999", "Orphan Orphansen", BORN)
            for shown in (cpr, cpr.replace("-", ""), name, name.split()[1]):
                assert shown.encode() not in after, shown
        for i in range(20):
            assert _person(i)[2].isoformat().encode() not in after
        assert PLAIN_TABLE.encode() not in after and PENDING_TABLE.encode() not in after

    again = backend.app()  # a second open finds nothing to migrate
    assert again.migrated is None
    erased = people[0]
    figures = evaluate_all(again.case_files().values(), date(2024, 12, 31)).digest()
    again.erase_personal_data(erased, occurred_on=date(2024, 9, 2), recorded_by="dpo-1")
    assert again.identity(erased) is None
    assert evaluate_all(again.case_files().values(), date(2024, 12, 31)).digest() == figures


MIGRATE = textwrap.dedent("""
    import json, sys
    from ungeforloeb.application import Ungeforloeb
    print("ready", flush=True)
    Ungeforloeb(env=json.loads(sys.argv[1]))
    print("done", flush=True)
""")


def _tables(env: dict[str, str]) -> dict[str, Any]:
    import sqlite3

    conn = sqlite3.connect(env["SQLITE_DBNAME"])
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        plain = conn.execute(f"SELECT COUNT(*) FROM {PLAIN_TABLE}").fetchone()[0] \
            if PLAIN_TABLE in names else None
        sealed = conn.execute("SELECT COUNT(*) FROM person_identity").fetchone()[0]
        keys = conn.execute("SELECT COUNT(*) FROM person_key").fetchone()[0]
    finally:
        conn.close()
    return {"plain": plain, "sealed": sealed, "keys": keys}


@pytest.mark.slow
def test_a_migration_killed_at_random_points_leaves_the_old_form_or_the_new(tmp_path):
    n = 3000
    outcomes = []
    rnd = random.Random(5)
    for k in range(8):
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": str(tmp_path / f"old-{k}.sqlite")}
        make_old_store("sqlite", env, n)
        proc = subprocess.Popen([sys.executable, "-c", MIGRATE, json.dumps(env)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        state = _tables(env)
        assert state in ({"plain": n + 1, "sealed": 0, "keys": 0},
                         {"plain": None, "sealed": n, "keys": n}), (k, state)
        outcomes.append(state["plain"] is None)
        app = Ungeforloeb(env=env)  # whichever it was, the next open finishes it
        assert _tables(env) == {"plain": None, "sealed": n, "keys": n}
        assert _person(7)[1].encode() not in _file_bytes(env)
        assert app.identities.find_by_cpr(_person(7)[0].replace("-", "")) is not None
        app.close()
    assert False in outcomes  # some kills landed before the migration's commit
