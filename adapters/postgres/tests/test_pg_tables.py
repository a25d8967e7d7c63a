"""The tables on the real PostgreSQL server: rows after commands, equal to the pure
projections over the same records (status, worklist on every day of the window, verdicts), and
late-recorded events dated earlier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pg_expected import (
    actual_worklist,
    assert_tables_equal_pure,
    expected_worklist,
    records_per_case,
)

from ungeforloeb.application.clock import SettableClock
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario
from ungeforloeb_postgres import advance, catch_up, start
from ungeforloeb_postgres.rows import window_days

pytestmark = pytest.mark.postgres

BY = "cw-1"


def _person(app: Any, on: date) -> UUID:
    yp: UUID = app.register_first_contact(occurred_on=on, recorded_by=BY,
                                          municipality_code="101", birth_date=date(2004, 5, 1))
    return yp


def test_rows_appear_after_commands_and_follow_new_ones(pg: Any) -> None:
    clock = SettableClock(datetime(2025, 3, 3, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    yp = _person(app, date(2025, 3, 3))
    app.visitate(yp, occurred_on=date(2025, 3, 3), recorded_by=BY,
                 stage=VisitationStage.PRELIMINARY, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=True)
    app.assign_caseworker(yp, occurred_on=date(2025, 3, 3), recorded_by=BY,
                          caseworker_id="cw-7", team_id="team-nord")
    runner = start(pg.env, pg.schema, first_day=date(2025, 3, 10), days=7)
    pg.closers.append(runner.close)
    runner.wait(app.recorder.max_notification_id(), timeout=30)
    [row] = pg.query("SELECT * FROM {s}.case_status")
    assert row["young_person_id"] == yp
    assert (row["visitation_group"], row["caseworker_id"], row["team_id"]) == \
        ("UP", "cw-7", "team-nord")
    assert row["order_steps"] == [] and row["next_deadline"] is None
    assert row["applied_events"] == 3 and row["updated_position"] == 3
    assert pg.query("SELECT count(*) AS n FROM {s}.verdict")[0]["n"] > 0

    # the runner follows new commands: an order with a step deadline due in the window
    clock.set(datetime(2025, 3, 4, 9, tzinfo=UTC))
    order = app.issue_order(yp, occurred_on=date(2025, 3, 4), recorded_by=BY)
    app.set_step_deadline(order, occurred_on=date(2025, 3, 4), recorded_by=BY,
                          step=OrderStep.PROPOSE_WISH, deadline=date(2025, 3, 14))
    runner.wait(app.recorder.max_notification_id(), timeout=30)
    [row] = pg.query("SELECT * FROM {s}.case_status")
    assert row["order_steps"] == [1] and row["next_deadline"] == date(2025, 3, 14)
    assert row["applied_events"] == 5
    owners = pg.query("SELECT young_person_id FROM {s}.stream_owner WHERE stream_id = %s",
                      order)
    assert owners == [{"young_person_id": str(yp)}]
    # the README's query: what is due for team-nord on a day; overdue from the day after
    due = pg.query("SELECT kind, due_on, overdue FROM {s}.worklist_item "
                   "WHERE on_day = %s AND team_id = %s AND kind = 'deadline'",
                   date(2025, 3, 14), "team-nord")
    assert due == [{"kind": "deadline", "due_on": date(2025, 3, 14), "overdue": False}]
    late = pg.query("SELECT overdue FROM {s}.worklist_item "
                    "WHERE on_day = %s AND kind = 'deadline'", date(2025, 3, 15))
    assert late == [{"overdue": True}]
    for day in window_days(date(2025, 3, 10), 7):
        assert actual_worklist(pg, day) == expected_worklist(app, day)
    assert runner.position == app.recorder.max_notification_id()


def test_tables_equal_the_pure_projections_and_follow_the_window(pg: Any) -> None:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=12, seed=5))
    first = date(2024, 9, 2)  # mid-history: the as-of views leave later events out
    position = catch_up(pg.env, pg.schema, first_day=first, days=4, timeout=120)
    assert position == app.recorder.max_notification_id()
    assert_tables_equal_pure(pg, app, window_days(first, 4), first)
    counts = {str(r["young_person_id"]): r["applied_events"]
              for r in pg.query("SELECT young_person_id, applied_events FROM {s}.case_status")}
    assert counts == records_per_case(app)

    # a new window (the next day's run): every case's items and verdicts recomputed
    moved = date(2025, 1, 6)
    assert advance(pg.env, pg.schema, moved, 3) == len(counts)
    assert {r["on_day"] for r in pg.query("SELECT DISTINCT on_day FROM {s}.worklist_item")} <= \
        set(window_days(moved, 3))
    assert_tables_equal_pure(pg, app, window_days(moved, 3), moved)
    assert [r["on_day"] for r in pg.query("SELECT DISTINCT on_day FROM {s}.worklist_first_day")
            ] in ([], [moved])


def test_late_recorded_events_dated_earlier_update_the_case(pg: Any) -> None:
    clock = SettableClock(datetime(2025, 2, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    yp = _person(app, date(2025, 2, 1))
    clock.set(datetime(2025, 3, 10, 9, tzinfo=UTC))
    app.assign_caseworker(yp, occurred_on=date(2025, 3, 10), recorded_by=BY,
                          caseworker_id="cw-a", team_id="team-a")
    order = app.issue_order(yp, occurred_on=date(2025, 3, 10), recorded_by=BY)
    app.set_step_deadline(order, occurred_on=date(2025, 3, 10), recorded_by=BY,
                          step=OrderStep.PROPOSE_WISH, deadline=date(2025, 4, 1))
    runner = start(pg.env, pg.schema, first_day=date(2025, 3, 25), days=10)
    pg.closers.append(runner.close)
    runner.wait(app.recorder.max_notification_id(), timeout=30)

    # recorded later, happened earlier: an older assignment (must not win over cw-a) and a
    # visitation dated before the others
    clock.set(datetime(2025, 3, 20, 9, tzinfo=UTC))
    app.assign_caseworker(yp, occurred_on=date(2025, 3, 1), recorded_by=BY,
                          caseworker_id="cw-b", team_id="team-b")
    app.visitate(yp, occurred_on=date(2025, 2, 15), recorded_by=BY,
                 stage=VisitationStage.FINAL, group=VisitationGroup.ACTIVITY_READY,
                 perspective_recorded=True, justification_recorded=True)
    app.propose_wish(order, occurred_on=date(2025, 3, 12), recorded_by=BY,
                     education_code="EUD-1")
    runner.wait(app.recorder.max_notification_id(), timeout=30)
    [row] = pg.query("SELECT * FROM {s}.case_status")
    assert (row["caseworker_id"], row["team_id"], row["visitation_group"]) == \
        ("cw-a", "team-a", "AP")
    assert row["visitation_final"] is True
    first = date(2025, 3, 25)
    assert_tables_equal_pure(pg, app, window_days(first, 10), first)
    # the wish (dated 12 March) meets step 1: no deadline item on any day of the window
    assert pg.query("SELECT * FROM {s}.worklist_item WHERE kind = 'deadline'") == []
    assert row["applied_events"] == 7
    # and a later day outside the window has no rows (the window is what is stored)
    assert actual_worklist(pg, first + timedelta(days=10)) == []



def test_moving_the_window_while_events_arrive_interleaves_nothing(pg: Any) -> None:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=6, seed=31, year=2024))
    runner = start(pg.env, pg.schema, first_day=date(2024, 6, 3), days=2)
    pg.closers.append(runner.close)
    # more events while the window moves twice (each move locks the window row)
    simulate(app, clock, Scenario(people=6, seed=32, year=2025))
    advance(pg.env, pg.schema, date(2025, 2, 3))
    advance(pg.env, pg.schema, date(2025, 3, 3), 3)
    runner.wait(app.recorder.max_notification_id(), timeout=120)
    runner.close()
    first = date(2025, 3, 3)
    assert_tables_equal_pure(pg, app, window_days(first, 3), first)
    counts = {str(r["young_person_id"]): r["applied_events"]
              for r in pg.query("SELECT young_person_id, applied_events FROM {s}.case_status")}
    assert counts == records_per_case(app)
