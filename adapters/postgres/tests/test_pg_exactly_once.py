"""Exactly once, on the real PostgreSQL server: a restart resumes from the tracked position,
a crash between handling and commit loses and doubles nothing, a position already tracked is
refused with its rows rolled back; and the console script."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import IntegrityError, Tracking
from pg_expected import assert_tables_equal_pure, records_per_case

from ungeforloeb.application.clock import SettableClock
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario
from ungeforloeb_postgres import TablesProjection, catch_up, start
from ungeforloeb_postgres.cli import main
from ungeforloeb_postgres.projection import APP_NAME, open_tables, projection_class
from ungeforloeb_postgres.rows import window_days

pytestmark = pytest.mark.postgres

FIRST = date(2024, 10, 7)
DAYS = 3


def _applied(pg: Any) -> dict[str, int]:
    return {str(r["young_person_id"]): r["applied_events"]
            for r in pg.query("SELECT young_person_id, applied_events FROM {s}.case_status")}


def _store(pg: Any, people: int = 8) -> Any:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=people, seed=11))
    return app


class Counting(TablesProjection):
    seen: ClassVar[list[int]] = []

    def before_commit(self, record: EventRecord, tracking: Tracking) -> None:
        self.seen.append(tracking.notification_id)


class CrashAt(TablesProjection):
    at: ClassVar[int] = 0

    def before_commit(self, record: EventRecord, tracking: Tracking) -> None:
        if tracking.notification_id == self.at:
            raise RuntimeError(f"crash before the commit of {self.at}")


def test_restart_resumes_from_the_tracked_position(pg: Any) -> None:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=8, seed=11, year=2024))
    first_run = catch_up(pg.env, pg.schema, first_day=FIRST, days=DAYS, timeout=120)
    assert first_run == app.recorder.max_notification_id()

    # more history, then a new runner: it applies the new events only, once each
    simulate(app, clock, Scenario(people=4, seed=12, year=2025))
    Counting.seen = []
    runner = start(pg.env, pg.schema, projection=Counting)
    pg.closers.append(runner.close)
    last = app.recorder.max_notification_id()
    runner.wait(last, timeout=120)
    runner.close()
    assert Counting.seen == list(range(first_run + 1, last + 1))
    assert _applied(pg) == records_per_case(app)
    assert_tables_equal_pure(pg, app, window_days(FIRST, DAYS), FIRST)


def test_a_crash_before_the_commit_loses_and_doubles_nothing(pg: Any) -> None:
    app = _store(pg)
    last = app.recorder.max_notification_id()
    CrashAt.at = last // 2
    runner = start(pg.env, pg.schema, first_day=FIRST, days=DAYS, projection=CrashAt)
    pg.closers.append(runner.close)
    with pytest.raises(RuntimeError, match="crash before the commit"):
        runner.wait(last, timeout=120)
    stopped_at = runner.position
    runner.close()
    # the crashed event's rows were rolled back with its position
    assert stopped_at == CrashAt.at - 1
    assert sum(_applied(pg).values()) == CrashAt.at - 1
    [row] = pg.query("SELECT max(updated_position) AS p FROM {s}.case_status")
    assert row["p"] == CrashAt.at - 1

    restarted = start(pg.env, pg.schema)
    pg.closers.append(restarted.close)
    restarted.wait(last, timeout=120)
    assert restarted.position == last
    restarted.close()
    assert _applied(pg) == records_per_case(app)
    assert_tables_equal_pure(pg, app, window_days(FIRST, DAYS), FIRST)


def test_a_position_already_tracked_is_refused_and_its_rows_rolled_back(pg: Any) -> None:
    app = _store(pg, people=4)
    position = catch_up(pg.env, pg.schema, first_day=FIRST, days=DAYS, timeout=120)
    before = pg.query("SELECT * FROM {s}.case_status ORDER BY young_person_id")
    items_before = pg.query("SELECT count(*) AS n FROM {s}.worklist_item")
    view = open_tables(pg.env, pg.schema)
    projection = projection_class(pg.env)(view)
    pg.closers.append(view.datastore.close)
    pg.closers.append(projection.close)
    again = [r for r in app.records() if r.seq in (1, position)]
    for rec in again:  # a redelivery, or a second runner behind the first
        with pytest.raises(IntegrityError):
            projection.process_event(rec, Tracking(APP_NAME, rec.seq))
    assert pg.query("SELECT * FROM {s}.case_status ORDER BY young_person_id") == before
    assert pg.query("SELECT count(*) AS n FROM {s}.worklist_item") == items_before
    assert view.max_tracking_id(APP_NAME) == position


def test_console_script_catches_up_and_refuses_another_store(pg: Any) -> None:
    app = _store(pg, people=3)
    cli = CliRunner()
    result = cli.invoke(main, ["run", "--schema", pg.schema, "--until-caught-up",
                               "--first-day", FIRST.isoformat(), "--days", "2",
                               "--timeout", "120"], env=pg.env)
    assert result.exit_code == 0, result.output
    last = app.recorder.max_notification_id()
    assert f"at position {last}" in result.output
    assert _applied(pg) == records_per_case(app)
    assert_tables_equal_pure(pg, app, window_days(FIRST, 2), FIRST)

    moved = date(2024, 12, 30)
    result = cli.invoke(main, ["advance", "--schema", pg.schema, "--to", moved.isoformat()],
                        env=pg.env)
    assert result.exit_code == 0, result.output
    assert_tables_equal_pure(pg, app, window_days(moved, 2), moved)

    sqlite = {**pg.env, "PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    result = cli.invoke(main, ["run", "--schema", pg.schema, "--until-caught-up"], env=sqlite)
    assert result.exit_code == 2
    assert "PERSISTENCE_MODULE=eventsourcing.postgres" in result.output
