"""Kill -9 at many points during registrations, erasures and an import, on SQLite and on
PostgreSQL: nothing orphaned, nothing half-written; a fresh export verifies.

Each path runs a real process (forked from a process that imported the library once,
:class:`Zygote`) and kills it with SIGKILL at a random moment, :data:`KILLS` times
(:func:`kill_repeatedly`, the block every path shares), checking the store after each kill,
then lets a last run finish:

- registrations (CPR number and name) one after another on one store; each run skips the CPR
  numbers already registered, so the one cut short is made again by the next run. Afterwards
  every CPR number is registered exactly once, every identity row has its data key and its
  ``FirstContactRegistered``, every first event has its key;
- erasures of every registered person on one store: after each kill every person is erased
  whole (event, no key, no identity) or not at all (identity and key);
- an import of a log into a fresh store each time: the store holds none of it or all of it.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.interchange.export import export_log
from ungeforloeb.interchange.verify import verify_log

KILLS = 30
CPRS = [f"{d:02d}0{m}0{y}-{s:04d}" for d, m, y, s in
        ((1 + i % 28, 1 + i % 9, i % 10, 1000 + i) for i in range(400))]
NONE_ORPHANED = {"identity without event": set(), "identity without key": set(),
                 "event without key": set(), "key without event": set()}

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
    import json, sys
    from pathlib import Path
    from ungeforloeb.application import Ungeforloeb
    from ungeforloeb.interchange.importer import import_log
    app = Ungeforloeb(env=json.loads(sys.argv[1]))
    print("ready", flush=True)
    with Path(sys.argv[2]).open("rb") as f:
        import_log(app, f)
    print("done", flush=True)
""")


ZYGOTE = textwrap.dedent("""
    import json, os, sys, traceback
    import ungeforloeb.application, ungeforloeb.interchange.importer  # imported once, here
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "wait":
            print(os.waitpid(req["pid"], 0)[1], flush=True)
            continue
        pid = os.fork()
        if pid:
            print(pid, flush=True)
            continue
        out = os.open(req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.argv = ["-c", *req["args"]]
        code = 0
        try:
            exec(compile(req["script"], "<kill point>", "exec"), {"__name__": "__main__"})
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
""")


class Zygote:
    """A Python process that imported the library once and forks a real process for each run
    (each then killed with SIGKILL, or let finish): the runs start in milliseconds instead of
    the second an interpreter and the library's imports take, which keeps the kill-point tests
    short on both back-ends."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._n = 0
        self._proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True,
                                      env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def _ask(self, request: dict[str, Any]) -> int:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        answer = self._proc.stdout.readline()
        assert answer.strip(), "the zygote died"
        return int(answer)

    def spawn(self, script: str, args: list[str], kill_after: float | None) -> str:
        """Run ``script`` in a forked process; once it prints ``ready``, SIGKILL it after
        ``kill_after`` seconds (returns "killed"), or let it finish (returns its output)."""
        self._n += 1
        out = self._folder / f"run-{self._n}.out"
        pid = self._ask({"op": "run", "script": script, "args": args, "out": str(out)})
        deadline = time.monotonic() + 300
        while "ready" not in (text := out.read_text() if out.exists() else ""):
            assert "Traceback" not in text and time.monotonic() < deadline, text
            time.sleep(0.002)
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)
        status = self._ask({"op": "wait", "pid": pid})
        text = out.read_text()
        if kill_after is not None:
            return "killed"
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, text
        return text

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=60)


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    z = Zygote(tmp_path_factory.mktemp("runs"))
    try:
        yield z
    finally:
        z.close()


def kill_repeatedly(zygote: Zygote, script: str, args: Callable[[int], list[str]], *,
                    seed: int, window: float, check: Callable[[int], Any]) -> list[Any]:
    """The block every kill-point path shares: :data:`KILLS` times, run ``script`` with
    ``args(i)`` and SIGKILL it at a random moment within ``window`` seconds of its start,
    then ``check(i)`` the store (it asserts, and returns what the caller wants to count)."""
    rnd = random.Random(seed)
    seen = []
    for i in range(KILLS):
        zygote.spawn(script, args(i), kill_after=rnd.uniform(0.0, window))
        seen.append(check(i))
    return seen


def _ids(app: Ungeforloeb, sql: str) -> set[str]:
    """Ids of a query's first column, as the hex of the UUID (both back-ends)."""
    store = app.personal_data
    return {UUID(str(r[0])).hex for r in store._rows(sql, ())}  # type: ignore[attr-defined]


def _orphans(app: Ungeforloeb) -> dict[str, Any]:
    recorder: Any = app.recorder
    ident = _ids(app, f"SELECT young_person_id FROM {recorder.identity_table}")
    keyed = _ids(app, f"SELECT young_person_id FROM {recorder.key_table}")
    firsts = {UUID(r.stream_id).hex for r in app.records()
              if r.type == "FirstContactRegistered"}
    return {"identity without event": ident - firsts, "identity without key": ident - keyed,
            "event without key": firsts - keyed, "key without event": keyed - firsts}


def _register(app: Ungeforloeb, n: int) -> None:
    with app.batch():
        for i, cpr in enumerate(CPRS[:n]):
            app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                       municipality_code="101", birth_date=date(2004, 5, 1),
                                       cpr=cpr, name=f"Navn Efternavn {i}")


@pytest.mark.slow
def test_registrations_killed_at_30_points_leave_nothing_orphaned(backend, zygote):
    env = json.dumps(backend.env)

    def check(_: int) -> None:
        app = Ungeforloeb(env=backend.env)
        assert _orphans(app) == NONE_ORPHANED
        app.close()

    kill_repeatedly(zygote, REGISTER, lambda _: [env, json.dumps(CPRS)], seed=12, window=0.6,
                    check=check)
    assert "done" in zygote.spawn(REGISTER, [env, json.dumps(CPRS)], kill_after=None)
    app = backend.app()
    assert _orphans(app) == NONE_ORPHANED
    found = [app.identities.find_by_cpr(c.replace("-", "")) for c in CPRS]
    assert None not in found and len(set(found)) == len(CPRS)
    assert sum(1 for r in app.records() if r.type == "FirstContactRegistered") == len(CPRS)


@pytest.mark.slow
def test_erasures_killed_at_30_points_are_each_whole_or_not_begun(backend, zygote):
    n = 300
    _register(backend.app(), n)
    env = json.dumps(backend.env)

    def check(_: int) -> None:
        app = Ungeforloeb(env=backend.env)
        erased = {r.stream_id for r in app.records() if r.type == "PersonalDataErased"}
        people = {r.stream_id for r in app.records() if r.type == "FirstContactRegistered"}
        with_identity = set()
        for cpr in CPRS[:n]:
            person = app.identities.find_by_cpr(cpr.replace("-", ""))
            if person is None:  # erased: the event, no key, no identity — all three
                continue
            assert str(person) not in erased
            assert app.personal_data.data_key(person) is not None
            with_identity.add(str(person))
        assert people - erased == with_identity
        assert all(app.personal_data.data_key(UUID(p)) is None for p in erased)
        assert _orphans(app)["identity without event"] == set()
        app.close()

    kill_repeatedly(zygote, ERASE, lambda _: [env], seed=7, window=0.5, check=check)
    assert "done" in zygote.spawn(ERASE, [env], kill_after=None)
    app = backend.app()
    assert _orphans(app)["identity without event"] == set()
    log = io.BytesIO()
    export_log(app, log)
    assert verify_log(io.BytesIO(log.getvalue()), recompute_digest=True).event_count == 2 * n


@pytest.mark.slow
def test_an_import_killed_at_30_points_leaves_the_store_empty_or_whole(backend, tmp_path,
                                                                      zygote):
    n = 400
    source = backend.app()
    _register(source, n)
    log = tmp_path / "log.jsonl"
    buf = io.BytesIO()
    at = datetime(2024, 9, 3, 12, tzinfo=UTC)
    export_log(source, buf, exported_at=at)
    log.write_bytes(buf.getvalue())
    targets = [backend.stores.new_store() for _ in range(KILLS + 1)]

    def check(i: int) -> int:
        app = Ungeforloeb(env=targets[i])
        events = len(list(app.records()))
        recorder: Any = app.recorder
        keys = len(_ids(app, f"SELECT young_person_id FROM {recorder.key_table}"))
        assert (events, keys) in ((0, 0), (n, n)), (i, events, keys)
        app.close()
        return events

    outcomes = kill_repeatedly(zygote, IMPORT, lambda i: [json.dumps(targets[i]), str(log)], seed=3,
                               window=1.0, check=check)
    assert "done" in zygote.spawn(IMPORT, [json.dumps(targets[-1]), str(log)], kill_after=None)
    again = io.BytesIO()
    export_log(Ungeforloeb(env=targets[-1]), again, exported_at=at)
    assert again.getvalue() == buf.getvalue()
    assert 0 in outcomes  # some kills landed before the import's commit
