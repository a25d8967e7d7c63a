"""The person → streams index in the store, on SQLite and PostgreSQL.

- On random histories (the demo's generator, seeded by hypothesis, saved a command or a day at a
  time) every young person's case file read through the index equals the one grouped from a
  full scan of the store, and the index holds exactly the person's streams.
- The index rows and the events commit together: an insert that fails in the index stores no
  event, and one that fails in the events stores no index row.
- A store written before the index existed is indexed once, on the first case lookup (progress
  on standard error) or by ``ungeforloeb reindex``, and then answers as a full scan does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.store_index import person_streams
from ungeforloeb.casefile.records import group_by_case
from ungeforloeb.cli import main
from ungeforloeb.domain.errors import UnknownCaseError
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb.simulation.generator import Scenario, simulate

START = datetime(2024, 1, 1, 8, tzinfo=UTC)


def _scan(app: Ungeforloeb) -> dict[str, list[Any]]:
    """Every case's records, grouped from a full scan of the store."""
    return group_by_case(app.records())


def _assert_index_equals_scan(app: Ungeforloeb) -> None:
    scanned = _scan(app)
    people = {k for k, recs in scanned.items()
              if not k.startswith("?") and recs[0].stream_type == "YoungPerson"}
    index = person_streams(app.recorder)
    for person in people:
        via_index = app.case_file(UUID(person))
        assert list(via_index.records) == scanned[person]
        streams = {r.stream_id for r in scanned[person]}
        assert {str(s) for s in index.streams_of(UUID(person))} == streams
        assert index.people_with_prefix(person[:13], 5) == [UUID(person)]


def _drop_index(backend: Any, app: Ungeforloeb) -> None:
    """Make the store look as one written before the index existed."""
    recorder: Any = app.recorder
    if backend.kind == "sqlite":
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(f"DROP TABLE {recorder.index_table}")
            c.execute(f"DROP TABLE {recorder.state_table}")
    else:
        with recorder.datastore.transaction(commit=True) as c:
            schema = recorder.datastore.schema
            c.execute(f'DROP TABLE "{schema}"."{recorder.index_table}"')
            c.execute(f'DROP TABLE "{schema}"."{recorder.state_table}"')


def test_case_file_through_the_index_equals_a_full_scan_on_random_histories(stores: Any) -> None:
    examples = 12 if stores.kind == "postgres" else 25

    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1), people=st.integers(1, 6),
           by_day=st.booleans())
    def check(seed: int, people: int, by_day: bool) -> None:
        clock = SettableClock(START)
        app = stores.app(stores.new_store(), clock=clock)
        simulate(app, clock, Scenario(people=people, seed=seed), batch_by_day=by_day)
        _assert_index_equals_scan(app)

    check()


def test_an_index_row_that_cannot_be_written_stores_no_event(backend: Any) -> None:
    app = backend.app(clock=SettableClock(START))
    recorder: Any = app.recorder
    before = recorder.max_notification_id()
    person = uuid4()
    # An index row for the stream is there already, so the index insert fails.
    with recorder.datastore.transaction(commit=True) as c:
        if backend.kind == "sqlite":
            c.execute(f"INSERT INTO {recorder.index_table} VALUES (?, ?)",
                      (person.hex, person.hex))
        else:
            c.execute(f'INSERT INTO "{recorder.datastore.schema}"."{recorder.index_table}" '
                      f"VALUES (%s, %s)", (person, person))
    with pytest.raises(IntegrityError):
        app.register_first_contact(occurred_on=date(2024, 1, 1), recorded_by="cw-1",
                                   municipality_code="101", birth_date=date(2005, 1, 1),
                                   young_person_id=person)
    assert recorder.select_events(person) == []
    assert recorder.max_notification_id() == before


def test_events_that_cannot_be_written_leave_no_index_row(backend: Any) -> None:
    app = backend.app(clock=SettableClock(START))
    other = backend.app(clock=SettableClock(START))
    yp = app.register_first_contact(occurred_on=date(2024, 1, 1), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2005, 1, 1))
    stale = other.repository.get(yp)
    app.hold_first_conversation(yp, occurred_on=date(2024, 1, 1), recorded_by="cw-1")
    stale.hold_first_conversation(occurred_on=date(2024, 1, 1), recorded_by="cw-1",
                                  recorded_at=START)
    newcomer = uuid4()
    fresh = YoungPerson.register_first_contact(
        occurred_on=date(2024, 1, 1), recorded_by="cw-1", recorded_at=START,
        municipality_code="101", birth_date=date(2005, 1, 1), young_person_id=newcomer)
    # One save: the new person's first event (with its index row) and a conflicting event.
    with pytest.raises(IntegrityError):
        other.save(fresh, stale)
    index = person_streams(app.recorder)
    assert index.streams_of(newcomer) == []
    assert index.people_with_prefix(newcomer.hex, 2) == []
    with pytest.raises(UnknownCaseError):
        app.case_file(newcomer)
    assert [str(s) for s in index.streams_of(yp)] == [str(yp)]


def test_a_store_written_before_the_index_is_indexed_once_on_first_lookup(
        backend: Any, capsys: pytest.CaptureFixture[str]) -> None:
    clock = SettableClock(START)
    app = backend.app(clock=clock)
    simulate(app, clock, Scenario(people=5, seed=3), batch_by_day=True)
    expected = _scan(app)
    _drop_index(backend, app)
    old = backend.app(clock=clock)  # makes the tables again, empty: the index is incomplete
    assert not person_streams_unbuilt(old).index_complete()
    person = next(k for k, v in expected.items() if v[0].stream_type == "YoungPerson")
    assert list(old.case_file(UUID(person)).records) == expected[person]
    assert "building it once" in capsys.readouterr().err
    assert person_streams_unbuilt(old).index_complete()
    _assert_index_equals_scan(old)
    # Later applications find it complete and build nothing.
    again = backend.app(clock=clock)
    assert person_streams_unbuilt(again).index_complete()
    again.case_file(UUID(person))
    assert capsys.readouterr().err == ""


def person_streams_unbuilt(app: Ungeforloeb) -> Any:
    from ungeforloeb.application.store_index import person_streams_unbuilt as unbuilt

    return unbuilt(app.recorder)


def test_reindex_command_builds_the_index_of_an_old_sqlite_store(tmp_path: Any) -> None:
    db = tmp_path / "old.sqlite"
    clock = SettableClock(START)
    app = Ungeforloeb(db, clock=clock)
    simulate(app, clock, Scenario(people=4, seed=5), batch_by_day=False)
    firsts = sum(1 for r in app.records() if r.version == 1)
    recorder: Any = app.recorder
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"DROP TABLE {recorder.index_table}")
        c.execute(f"DELETE FROM {recorder.state_table}")
    app.close()
    result = CliRunner().invoke(main, ["reindex", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"{firsts:,} streams indexed" in result.output
    assert "already complete" not in result.output
    again = CliRunner().invoke(main, ["reindex", "--db", str(db)])
    assert "already complete" in again.output
    reopened = Ungeforloeb(db, clock=clock)
    assert person_streams_unbuilt(reopened).index_complete()
    _assert_index_equals_scan(reopened)
    reopened.close()


def test_trail_finds_a_case_by_prefix_through_the_index(tmp_path: Any) -> None:
    db = tmp_path / "cases.sqlite"
    clock = SettableClock(START)
    app = Ungeforloeb(db, clock=clock)
    simulate(app, clock, Scenario(people=3, seed=11), batch_by_day=True)
    person = next(k for k, v in _scan(app).items() if v[0].stream_type == "YoungPerson")
    app.close()
    runner = CliRunner()
    found = runner.invoke(main, ["trail", person[:8], "--db", str(db)])
    assert found.exit_code == 0, found.output
    assert f"Audit trail of {person}" in found.output
    everyone = runner.invoke(main, ["trail", "", "--db", str(db)])
    assert everyone.exit_code == 2
    assert "matches more than one case" in everyone.output
    wrong = runner.invoke(main, ["trail", person[:7] + "-", "--db", str(db)])
    assert wrong.exit_code == 2
    assert "no young person with id" in wrong.output


def test_explain_judges_one_rule_as_the_whole_evaluation_does(tmp_path: Any) -> None:
    """``ungeforloeb explain`` judges only the rule asked (and those it depends on): the same
    verdicts as the whole evaluation gives for that rule, on every case and rule."""
    from ungeforloeb.projections.compliance import evaluate_case, load_rules

    clock = SettableClock(START)
    app = Ungeforloeb(tmp_path / "x.sqlite", clock=clock)
    simulate(app, clock, Scenario(people=8, seed=21), batch_by_day=True)
    rules = load_rules()
    day = date(2024, 12, 31)
    for case in app.case_files().values():
        whole = evaluate_case(case, day, None, rules)
        for rule_id in rules.ids:
            assert [v for v in evaluate_case(case, day, None, rules.only((rule_id,)))
                    if v.rule_id == rule_id] == [v for v in whole if v.rule_id == rule_id]
    app.close()
