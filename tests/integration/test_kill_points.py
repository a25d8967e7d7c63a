"""Kill -9 at many points during registrations: nothing orphaned, nothing half-written.

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
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
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
