"""The kept verdicts in PostgreSQL, on the real server: the rows equal the kept projection kept
in memory over the same store (a rebuild from the events), each event applied exactly once
across a crash midway and restarts (small pages, so a catch-up is many transactions), new
events judged on the next run, the day rolled, and a second runner refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner

from ungeforloeb.application.clock import SettableClock
from ungeforloeb.application.kept import KeptVerdicts, MemoryKeptStore
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario
from ungeforloeb_postgres.cli import main
from ungeforloeb_postgres.kept import PositionMovedError, PostgresKeptStore, keep

pytestmark = pytest.mark.postgres

DAY = date(2024, 10, 1)
LATER = date(2025, 6, 1)


def _store(pg: Any, people: int = 10) -> Any:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=people, seed=5))
    return app


def _more(app: Any, people: int = 8) -> None:
    """Another year's young people (the kept rows follow them page by page)."""
    simulate(app, app.clock, Scenario(people=people, seed=6, year=2025))


def _rebuilt(app: Any, day: date) -> KeptVerdicts:
    kept = KeptVerdicts(app, MemoryKeptStore())
    kept.update(day)
    return kept


def _same(store: PostgresKeptStore, rebuilt: KeptVerdicts) -> None:
    assert store.verdicts() == rebuilt.verdicts()
    assert store.cases() == rebuilt.store.cases()
    assert sorted(store.items(caseworker=None, team=None), key=repr) == \
        sorted(rebuilt.store.items(caseworker=None, team=None), key=repr)


class CrashAfter(PostgresKeptStore):
    """Fails inside the transaction of its n-th write, after its rows went in."""

    def __init__(self, env: Any, schema: str, n: int) -> None:
        super().__init__(env, schema)
        self.left = n

    def _copy(self, cur: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        super()._copy(cur, table, columns, rows)
        if table == "kept_case" and rows:
            self.left -= 1
            if self.left == 0:
                raise RuntimeError("crash before the commit")


def test_kept_rows_equal_a_rebuild_across_a_crash_and_restarts(pg: Any) -> None:
    app = _store(pg)
    store = PostgresKeptStore(pg.env, pg.schema)
    pg.closers.append(store.close)
    cold = keep(pg.env, pg.schema, DAY, store=store)  # a cold start: each case judged once
    assert cold.judged == len(app.case_files())
    _same(store, _rebuilt(app, DAY))
    start = cold.position
    _more(app)
    last = app.recorder.max_notification_id()
    assert last - start > 120
    crashing = CrashAfter(pg.env, pg.schema, n=3)
    pg.closers.append(crashing.close)
    with pytest.raises(RuntimeError, match="crash before the commit"):
        KeptVerdicts(app, crashing).update(LATER, page=40)
    # the crashed page's rows were rolled back with its position: two pages stand
    assert crashing.position() == start + 80

    done = keep(pg.env, pg.schema, LATER, page=40, store=store)
    assert (done.events, done.position) == (last - start - 80, last)
    _same(store, _rebuilt(app, LATER))
    assert keep(pg.env, pg.schema, LATER, store=store).events == 0

    # a new event: its case alone judged on the next run
    yp = UUID(next(iter(app.case_files())))
    app.clock.set(datetime(2025, 6, 1, 9, tzinfo=UTC))
    app.assign_caseworker(yp, occurred_on=LATER, recorded_by="cw-9", caseworker_id="cw-9",
                          team_id="team-9")
    done = keep(pg.env, pg.schema, LATER, store=store)
    assert (done.events, done.judged) == (1, 1)
    _same(store, _rebuilt(app, LATER))
    assert [i.caseworker_id for i in store.items(caseworker="cw-9", team=None)]

    # the day rolls: only the cases whose next change came are judged again, rows as rebuilt
    later = date(2025, 8, 4)
    due = store.due(later)
    done = keep(pg.env, pg.schema, later, store=store)
    assert done.rolled == len(due) and store.day() == later
    _same(store, _rebuilt(app, later))


def test_a_cold_start_judged_by_two_workers_keeps_the_same_rows(pg: Any) -> None:
    """Given a store in PostgreSQL, when a cold start has two workers judge the cases (read
    once from the log by this process: on PostgreSQL the workers do not read case by case),
    then the kept rows equal a rebuild in one process, and a restart applies nothing."""
    app = _store(pg)
    assert app.settings_elsewhere() is None
    store = PostgresKeptStore(pg.env, pg.schema)
    pg.closers.append(store.close)
    done = KeptVerdicts(app, store, jobs=2).update(DAY)
    assert (done.events, done.position) == (app.recorder.max_notification_id(),) * 2
    assert done.judged == len(app.case_files())
    _same(store, _rebuilt(app, DAY))
    assert KeptVerdicts(app, store, jobs=2).update(DAY).events == 0


class Overtaken(PostgresKeptStore):
    """Another runner applies everything between this one's read and its first write."""

    env: Any = None

    def write(self, **kwargs: Any) -> None:
        if self.env is not None:
            env, self.env = self.env, None
            keep(env, self.schema, kwargs["day"])
        super().write(**kwargs)


@pytest.mark.parametrize("cold", [True, False])
def test_a_second_runner_that_moved_the_position_stops_this_one(pg: Any, cold: bool) -> None:
    app = _store(pg, people=4)
    if not cold:
        keep(pg.env, pg.schema, DAY)
        _more(app, people=3)
    first = Overtaken(pg.env, pg.schema)
    first.env = pg.env
    pg.closers.append(first.close)
    with pytest.raises(PositionMovedError, match="another runner"):
        KeptVerdicts(app, first).update(LATER, page=40)
    assert first.position() == app.recorder.max_notification_id()
    _same(first, _rebuilt(app, LATER))


def test_console_script_keeps_and_shows_a_worklist(pg: Any) -> None:
    app = _store(pg, people=4)
    cli = CliRunner()
    result = cli.invoke(main, ["keep", "--schema", pg.schema, "--on", DAY.isoformat()],
                        env=pg.env)
    assert result.exit_code == 0, result.output
    assert f"{app.recorder.max_notification_id()} events applied" in result.output
    sqlite = {**pg.env, "PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    result = cli.invoke(main, ["keep", "--schema", pg.schema], env=sqlite)
    assert result.exit_code == 2
    assert "PERSISTENCE_MODULE=eventsourcing.postgres" in result.output


def test_run_until_caught_up_and_advance_keep_the_same_rows(pg: Any) -> None:
    app = _store(pg, people=4)
    cli = CliRunner()
    result = cli.invoke(main, ["run", "--schema", pg.schema, "--until-caught-up",
                               "--on", DAY.isoformat()], env=pg.env)
    assert result.exit_code == 0, result.output
    store = PostgresKeptStore(pg.env, pg.schema)
    pg.closers.append(store.close)
    assert store.position() == app.recorder.max_notification_id()
    _same(store, _rebuilt(app, DAY))
    result = cli.invoke(main, ["advance", "--schema", pg.schema, "--to", LATER.isoformat()],
                        env=pg.env)
    assert result.exit_code == 0, result.output
    assert f"for {LATER.isoformat()}: 0 events applied" in result.output
    assert store.day() == LATER
    _same(store, _rebuilt(app, LATER))


def test_follow_applies_each_round_until_stopped(pg: Any) -> None:
    import threading

    from ungeforloeb_postgres.kept import follow

    app = _store(pg, people=3)
    stop = threading.Event()
    rounds: list[Any] = []

    def each(done: Any) -> None:
        rounds.append(done)
        if len(rounds) == 1:
            _more(app, people=2)  # recorded between two rounds
        else:
            stop.set()

    last = follow(pg.env, pg.schema, on=DAY, poll=0.1, stop=stop, each=each)
    assert last is rounds[-1] and len(rounds) == 2
    assert rounds[1].events > 0 and last.position == app.recorder.max_notification_id()
    store = PostgresKeptStore(pg.env, pg.schema)
    pg.closers.append(store.close)
    _same(store, _rebuilt(app, DAY))
