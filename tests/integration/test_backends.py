"""The same contract on every persistence back-end (SQLite file, PostgreSQL schema): a case
stored by one application is read back, whole and equal, by another; identity records stay apart
from the events; stores never see each other; another process reads a store back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.identity import SQLIdentityStore
from ungeforloeb.domain.values import (
    ContactChannel,
    DeadlineMoveReason,
    OrderStep,
    RetentionOutcome,
    VisitationGroup,
    VisitationStage,
)
from ungeforloeb.projections.status import (
    EnrolmentState,
    RecordOutOfSequenceError,
    StatusProjection,
    UnknownCaseStatusError,
    follow,
    rebuild,
)

TODAY = date(2024, 9, 2)


def walk_a_case(app: Ungeforloeb, cpr: str = "010504-1234") -> tuple:
    """First contact to a started education, a moved deadline and a closed retention case."""
    yp = app.register_first_contact(occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr=cpr, name="Test Testesen")
    app.hold_first_conversation(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
    app.visitate(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                 stage=VisitationStage.PRELIMINARY, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=False)
    app.assign_caseworker(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                          caseworker_id="cw-7", team_id="team-north")
    order = app.issue_order(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
    app.set_step_deadline(order, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                          step=OrderStep.PROPOSE_WISH, deadline=date(2024, 2, 5))
    app.move_step_deadline(order, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                           step=OrderStep.PROPOSE_WISH, deadline=date(2024, 3, 5),
                           reason=DeadlineMoveReason.ILLNESS)
    app.propose_wish(order, occurred_on=date(2024, 2, 20), recorded_by="cw-1",
                     education_code="EUD-1")
    app.admit(order, occurred_on=date(2024, 4, 1), recorded_by="udb", admission_id="adm-1",
              institution_id="280727", education_code="EUD-1", starts_on=date(2024, 8, 12),
              qualifying=True)
    app.start_education(order, occurred_on=date(2024, 8, 12), recorded_by="udb",
                         admission_id="adm-1")
    case = app.report_risk_of_dropout(yp, occurred_on=date(2024, 8, 26), recorded_by="udb",
                                      institution_id="280727", report_id="udb-1",
                                      received_on=date(2024, 8, 27), order_id=order,
                                      admission_id="adm-1")
    app.contact_young_person(case, occurred_on=date(2024, 8, 28), recorded_by="cw-7",
                             channel=ContactChannel.PHONE)
    app.close_retention_case(case, occurred_on=date(2024, 8, 30), recorded_by="cw-7",
                             outcome=RetentionOutcome.RETAINED)
    return yp, order, case


def test_a_case_stored_by_one_application_is_read_back_equal_by_another(backend):
    writer = backend.app(clock=SettableClock(TODAY))
    yp, order, case = walk_a_case(writer)
    reader = backend.app()
    for aggregate_id in (yp, order, case):
        assert reader.repository.get(aggregate_id) == writer.repository.get(aggregate_id)
    assert list(reader.records()) == list(writer.records())
    assert [r.seq for r in reader.records()] == sorted(r.seq for r in reader.records())


def test_the_status_projection_follows_the_store(backend):
    app = backend.app(clock=SettableClock(TODAY))
    projection = StatusProjection()
    assert follow(app, projection) == 0
    yp, order, _case = walk_a_case(app)
    applied = follow(app, projection)
    assert applied == projection.position == len(list(app.records()))
    assert follow(app, projection) == 0
    status = projection.status(yp)
    assert status.group is VisitationGroup.EDUCATION_READY
    assert (status.caseworker_id, status.team_id) == ("cw-7", "team-north")
    (order_status,) = status.orders
    assert order_status.order_id == str(order)
    assert order_status.step is OrderStep.START_AND_COMPLETE
    assert order_status.deadlines[0].deadline == date(2024, 3, 5)
    assert order_status.deadlines[0].times_moved == 1
    assert [a.state for a in status.open_admissions] == [EnrolmentState.STARTED]
    assert status.open_retention_cases == ()
    assert rebuild(backend.app().records()) == projection


def test_a_projection_takes_each_record_once_in_order(backend):
    app = backend.app(clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(app)
    projection = StatusProjection()
    first, second, *_ = app.records()
    projection.apply(first)
    projection.apply(second)
    with pytest.raises(RecordOutOfSequenceError, match=r"record 2 \(FirstConversationHeld of "
                                                       r"YoungPerson .*\) is at or before "
                                                       r"position 2"):
        projection.apply(second)
    with pytest.raises(UnknownCaseStatusError, match="no case for young person nobody"):
        projection.status("nobody")
    assert projection.status(yp).first_contact_on == date(2024, 1, 2)


def test_a_projection_started_midway_keeps_streams_it_cannot_place_apart(backend):
    app = backend.app(clock=SettableClock(TODAY))
    yp, order, _ = walk_a_case(app)
    issued = next(r.seq for r in app.records() if r.type == "OrderIssued")
    late = rebuild(app.records(start=issued + 1))
    assert f"?{order}" in late.unrouted
    assert all(k != f"?{order}" for k in late.all())
    assert late.status(yp).orders == ()
    assert rebuild(app.records()).status(yp).orders[0].order_id == str(order)


def test_identity_records_stay_out_of_the_events(backend):
    app = backend.app(clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(app)
    stored = json.dumps([r._asdict() for r in app.records()], default=str)
    assert "0105041234" not in stored and "010504-1234" not in stored
    assert "Testesen" not in stored
    assert isinstance(app.identities, SQLIdentityStore)
    reader = backend.app()
    record = reader.identity(yp)
    assert record is not None and (record.cpr, record.name) == ("0105041234", "Test Testesen")
    assert reader.identities.find_by_cpr("0105041234") == yp
    assert reader.identities.erase(yp) is True
    assert app.identity(yp) is None
    assert reader.identities.erase(yp) is False
    assert reader.repository.get(yp).first_contact_on == date(2024, 1, 2)


def test_two_stores_of_one_kind_do_not_see_each_other(stores):
    first = stores.app(stores.new_store(), clock=SettableClock(TODAY))
    second = stores.app(stores.new_store(), clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(first)
    assert list(second.records()) == []
    assert second.identity(yp) is None
    other, _, _ = walk_a_case(second, cpr="020202-2222")
    assert {r.stream_id for r in first.records()}.isdisjoint(
        {r.stream_id for r in second.records()})
    assert first.identity(other) is None


def test_two_applications_on_two_sqlite_files_do_not_see_each_other(tmp_path):
    sqlite = {"PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    a = Ungeforloeb(tmp_path / "a.sqlite", clock=SettableClock(TODAY), env=sqlite)
    b = Ungeforloeb(tmp_path / "b.sqlite", clock=SettableClock(TODAY), env=sqlite)
    try:
        yp, _, _ = walk_a_case(a)
        assert list(b.records()) == []
        assert b.identity(yp) is None
        walk_a_case(b)
        assert len(list(a.records())) == len(list(b.records()))
        assert {r.stream_id for r in a.records()}.isdisjoint({r.stream_id for r in b.records()})
    finally:
        for app in (a, b):
            app.close()
            app.identities.close()


READ_BACK = textwrap.dedent("""
    import json, sys
    from ungeforloeb.application import Ungeforloeb
    app = Ungeforloeb(sys.argv[1])
    print(json.dumps([[r.seq, r.stream_id, r.type, r.occurred_on.isoformat(), r.recorded_by]
                      for r in app.records()]))
    app.close()
    app.identities.close()
""")


def test_a_second_process_reads_back_what_the_first_wrote(tmp_path):
    path = tmp_path / "store.sqlite"
    app = Ungeforloeb(path, clock=SettableClock(TODAY),
                      env={"PERSISTENCE_MODULE": "eventsourcing.sqlite"})
    try:
        walk_a_case(app)
        expected = [[r.seq, r.stream_id, r.type, r.occurred_on.isoformat(), r.recorded_by]
                    for r in app.records()]
    finally:
        app.close()
        app.identities.close()
    env = {k: v for k, v in os.environ.items() if k != "PERSISTENCE_MODULE"}
    done = subprocess.run([sys.executable, "-c", READ_BACK, str(path)], capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected


PROBE = textwrap.dedent("""
    def test_probe(backend):
        assert backend.kind == "postgres"
""")


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_an_unreachable_postgres_skips_locally_and_fails_in_ci(tmp_path, ci, outcome):
    conftest = Path(__file__).resolve().parents[1] / "conftest.py"
    (tmp_path / "conftest.py").write_text(conftest.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "CI": ci, "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "9",
           "HYPOTHESIS_PROFILE": "dev"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "postgres",
         "-o", "markers=postgres", str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False)
    assert outcome in done.stdout, done.stdout + done.stderr
    assert (done.returncode != 0) == bool(ci)
    if ci:
        assert "PostgreSQL unreachable at postgres@127.0.0.1:9/test" in done.stdout
