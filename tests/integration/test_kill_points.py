"""Kill -9 at many points during registrations, erasures and an import: nothing orphaned,
nothing half-written; a fresh export verifies.

A real process registers young people (with CPR number and name) one after another; the test
kills it with SIGKILL at a random moment, 30 times, on one store, then lets a last run finish.
Each run skips the CPR numbers already registered, so the registration cut short by a kill is
made again by the next run. Afterwards: every CPR number is registered exactly once, every
identity row has its data key and its FirstContactRegistered, every first event has its key.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ungeforloeb.application import Ungeforloeb

KILLS = 30
CPRS = [f"{d:02d}0{m}0{y}-{s:04d}" for d, m, y, s in
        ((1 + i % 28, 1 + i % 9, i % 10, 1000 + i) for i in range(400))]

REGISTER = textwrap.dedent("""
    import json, sys
    from datetime import date
    from ungeforloeb.application import Ungeforloeb
    env, cprs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    app = Ungeforloeb(env=env)
    print("ready", flush=True)
    for i, cpr in enumerate(cprs):
        if app.identities.find_by_cpr(cpr.replace("-", "")) is None:
            app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                       municipality_code="101", birth_date=date(2004, 5, 1),
                                       cpr=cpr, name=f"Navn Efternavn {i}")
    print("done", flush=True)
""")


def _run(env: dict[str, str], kill_after: float | None) -> str:
    proc = subprocess.Popen([sys.executable, "-c", REGISTER, json.dumps(env), json.dumps(CPRS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == "ready", (first, proc.stderr.read() if proc.stderr else "")
    if kill_after is None:
        # read through the text wrapper: communicate() would miss what readline() buffered
        out = proc.stdout.read()
        err = proc.stderr.read() if proc.stderr else ""
        assert proc.wait(timeout=300) == 0, err
        return out
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return "killed"


def _orphans(app: Ungeforloeb) -> dict[str, Any]:
    store = app.identities
    ident = {str(r[0]) for r in store._rows(  # type: ignore[attr-defined]
        f"SELECT young_person_id FROM {app.recorder.identity_table}", ())}  # type: ignore[attr-defined]
    keyed = {str(r[0]) for r in store._rows(  # type: ignore[attr-defined]
        f"SELECT young_person_id FROM {app.recorder.key_table}", ())}  # type: ignore[attr-defined]
    firsts = {r.stream_id for r in app.records() if r.type == "FirstContactRegistered"}
    return {"identity without event": ident - firsts, "identity without key": ident - keyed,
            "event without key": firsts - keyed, "key without event": keyed - firsts}


@pytest.mark.slow
def test_registrations_killed_at_30_points_leave_nothing_orphaned(backend):
    env = dict(backend.env)
    if backend.kind == "sqlite":
        env["SQLITE_DBNAME"] = str(Path(env["SQLITE_DBNAME"]))
    rnd = random.Random(12)
    for _ in range(KILLS):
        _run(env, kill_after=rnd.uniform(0.0, 0.6))
    assert "done" in _run(env, kill_after=None)
    app = backend.app()
    assert _orphans(app) == {"identity without event": set(), "identity without key": set(),
                             "event without key": set(), "key without event": set()}
    found = [app.identities.find_by_cpr(c.replace("-", "")) for c in CPRS]
    assert None not in found and len(set(found)) == len(CPRS)
    assert sum(1 for r in app.records() if r.type == "FirstContactRegistered") == len(CPRS)


ERASE = textwrap.dedent("""
    import json, sys
    from datetime import date
    from uuid import UUID
    from ungeforloeb.application import Ungeforloeb
    env = json.loads(sys.argv[1])
    app = Ungeforloeb(env=env)
    people = sorted(r.stream_id for r in app.records() if r.type == "FirstContactRegistered")
    erased = {r.stream_id for r in app.records() if r.type == "PersonalDataErased"}
    print("ready", flush=True)
    for p in people:
        if p not in erased:
            app.erase_personal_data(UUID(p), occurred_on=date(2024, 9, 2), recorded_by="dpo-1")
    print("done", flush=True)
""")

IMPORT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ungeforloeb.application import Ungeforloeb
    from ungeforloeb.interchange.importer import import_log
    app = Ungeforloeb(sys.argv[1])
    print("ready", flush=True)
    with Path(sys.argv[2]).open("rb") as f:
        import_log(app, f)
    print("done", flush=True)
""")


def _spawn(script: str, args: list[str], kill_after: float | None) -> str:
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == "ready", (first, proc.stderr.read() if proc.stderr else "")
    if kill_after is None:
        # read through the text wrapper: communicate() would miss what readline() buffered
        out = proc.stdout.read()
        err = proc.stderr.read() if proc.stderr else ""
        assert proc.wait(timeout=300) == 0, err
        return out
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return "killed"


def _registered(tmp_path: Path, n: int) -> dict[str, str]:
    from datetime import date

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
           "SQLITE_DBNAME": str(tmp_path / "store.sqlite")}
    app = Ungeforloeb(env=env)
    with app.batch():
        for i, cpr in enumerate(CPRS[:n]):
            app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                       municipality_code="101", birth_date=date(2004, 5, 1),
                                       cpr=cpr, name=f"Navn Efternavn {i}")
    app.close()
    return env


@pytest.mark.slow
def test_erasures_killed_at_30_points_are_each_whole_or_not_begun(tmp_path):
    import io

    from ungeforloeb.interchange.export import export_log
    from ungeforloeb.interchange.verify import verify_log

    env = _registered(tmp_path, 300)
    rnd = random.Random(7)
    for _ in range(KILLS):
        _spawn(ERASE, [json.dumps(env)], kill_after=rnd.uniform(0.0, 0.5))
        app = Ungeforloeb(env=env)
        erased = {r.stream_id for r in app.records() if r.type == "PersonalDataErased"}
        for cpr in CPRS[:300]:
            person = app.identities.find_by_cpr(cpr.replace("-", ""))
            if person is None:  # erased: the event, no key, no identity — all three
                continue
            assert str(person) not in erased
            assert app.personal_data.data_key(person) is not None
        people = {r.stream_id for r in app.records() if r.type == "FirstContactRegistered"}
        with_identity = {str(app.identities.find_by_cpr(c.replace("-", ""))) for c in CPRS[:300]}
        assert people - erased == with_identity - {"None"}
        assert all(app.personal_data.data_key(UUID(p)) is None
                   for p in erased)
        app.close()
    assert "done" in _spawn(ERASE, [json.dumps(env)], kill_after=None)
    app = Ungeforloeb(env=env)
    assert _orphans(app)["identity without event"] == set()
    log = io.BytesIO()
    export_log(app, log)
    assert verify_log(io.BytesIO(log.getvalue()), recompute_digest=True).event_count == 600


@pytest.mark.slow
def test_an_import_killed_at_30_points_leaves_the_store_empty_or_whole(tmp_path):
    import io
    from datetime import UTC, datetime

    from ungeforloeb.interchange.export import export_log

    source = Ungeforloeb(env=_registered(tmp_path, 400))
    log = tmp_path / "log.jsonl"
    buf = io.BytesIO()
    at = datetime(2024, 9, 3, 12, tzinfo=UTC)
    export_log(source, buf, exported_at=at)
    log.write_bytes(buf.getvalue())
    rnd = random.Random(3)
    outcomes = []
    for i in range(KILLS):
        db = tmp_path / f"imported-{i}.sqlite"
        _spawn(IMPORT, [str(db), str(log)], kill_after=rnd.uniform(0.0, 1.0))
        app = Ungeforloeb(db)
        events = len(list(app.records()))
        keys = len(list(app.personal_data._rows(  # type: ignore[attr-defined]
            f"SELECT young_person_id FROM {app.recorder.key_table}", ())))  # type: ignore[attr-defined]
        assert (events, keys) in ((0, 0), (400, 400)), (i, events, keys)
        outcomes.append(events)
        app.close()
    db = tmp_path / "imported-last.sqlite"
    assert "done" in _spawn(IMPORT, [str(db), str(log)], kill_after=None)
    again = io.BytesIO()
    export_log(Ungeforloeb(db), again, exported_at=at)
    assert again.getvalue() == buf.getvalue()
    assert 0 in outcomes  # some kills landed before the import's commit
