"""Verdicts kept current in the store's SQLite file: the kept worklist and verdicts equal the live
ones judged from the events, an update is applied exactly once across restarts and failures, and
the day rolls only the cases whose next change has come."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application import kept as kept_module
from ungeforloeb.application.kept import KeptVerdicts, MemoryKeptStore, SQLiteKeptStore
from ungeforloeb.application.kept_timelines import _opened
from ungeforloeb.projections.kept import KeptVerdict, keep
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.rules.evaluate import evaluate
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario

DAY = date(2024, 10, 1)


@pytest.fixture
def store(tmp_path: Path) -> Ungeforloeb:
    clock = SettableClock(date(2024, 1, 1))
    app = Ungeforloeb(tmp_path / "store.sqlite", clock=clock)
    simulate(app, clock, Scenario(people=40, seed=3))
    return app


def _kept(app: Ungeforloeb) -> KeptVerdicts:
    return KeptVerdicts(app)


def test_the_kept_worklist_and_verdicts_equal_the_live_ones(store: Ungeforloeb) -> None:
    kept = _kept(store)
    done = kept.update(DAY)
    assert done.events == store.recorder.max_notification_id()
    case_files = store.case_files()
    assert done.judged == len(case_files)
    live = worklist(case_files.values(), DAY)
    assert sorted(kept.worklist(), key=repr) == sorted(live, key=repr) and live
    teams = {i.team_id for i in live if i.team_id}
    for team in teams:
        assert kept.worklist(team=team) == worklist(case_files.values(), DAY, team=team)
    one = next(iter(case_files.values()))
    assert kept.verdicts(one.young_person_id) == [
        KeptVerdict.of(v) for v in evaluate(one.view(as_of=DAY), DAY, kept.rules)]


def test_a_restart_applies_only_what_was_recorded_since(store: Ungeforloeb) -> None:
    _kept(store).update(DAY)
    again = _kept(store)
    assert again.update(DAY).events == 0
    yp = next(iter(store.case_files()))
    from uuid import UUID

    store.clock = SettableClock(DAY)  # type: ignore[method-assign]
    store.assign_caseworker(UUID(yp), occurred_on=DAY, recorded_by="cw-9",
                            caseworker_id="cw-9", team_id="team-9")
    done = again.update(DAY)
    assert (done.events, done.judged) == (1, 1)
    assert {i.team_id for i in again.worklist(caseworker="cw-9")} <= {"team-9"}
    assert again.worklist(caseworker="cw-9") == worklist(store.case_files().values(), DAY,
                                                          caseworker="cw-9")


def test_a_failure_midway_leaves_rows_and_position_as_they_were(
        store: Ungeforloeb, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _kept(store)
    kept.update(DAY)
    before = (kept.store.position(), kept.verdicts(), kept.worklist())
    from uuid import UUID

    for yp in list(store.case_files())[:3]:
        store.clock = SettableClock(DAY)  # type: ignore[method-assign]
        store.assign_caseworker(UUID(yp), occurred_on=DAY, recorded_by="cw-8",
                                caseworker_id="cw-8", team_id="team-8")
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return keep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kept_module, "keep", failing)
    with pytest.raises(RuntimeError):
        kept.update(DAY)
    assert (kept.store.position(), kept.verdicts(), kept.worklist()) == before
    monkeypatch.undo()
    done = kept.update(DAY)
    assert done.events == 3
    assert len(kept.worklist(caseworker="cw-8")) == len(
        worklist(store.case_files().values(), DAY, caseworker="cw-8"))


def test_rolling_the_day_rejudges_only_the_cases_whose_next_change_came(
        store: Ungeforloeb) -> None:
    kept = _kept(store)
    kept.update(DAY)
    nexts = kept.store.cases()
    later = date(2024, 10, 20)
    expected = sorted(k for k, d in nexts.items() if d is not None and d <= later)
    assert kept.update(later).rolled == len(expected) < len(nexts)
    assert sorted(kept.worklist(), key=repr) == sorted(
        worklist(store.case_files().values(), later), key=repr)
    assert isinstance(kept.store, SQLiteKeptStore)


def _rows(kept: KeptVerdicts) -> tuple[object, ...]:
    return (kept.store.position(), kept.store.day(), kept.verdicts(),
            sorted(kept.worklist(), key=repr), kept.store.cases())


def test_a_cold_start_judged_in_worker_processes_writes_the_same_rows(
        store: Ungeforloeb) -> None:
    one = KeptVerdicts(store, MemoryKeptStore(), jobs=1)
    done_one = one.update(DAY)
    two = KeptVerdicts(store, jobs=2)  # the SQLite tables, the cases judged by two workers
    done_two = two.update(DAY)
    assert isinstance(two.store, SQLiteKeptStore)
    assert (done_two.events, done_two.judged, done_two.position) == \
        (done_one.events, done_one.judged, done_one.position)
    assert _rows(two) == _rows(one)
    # exactly once: a restart applies nothing, and the rows stay
    assert KeptVerdicts(store, jobs=2).update(DAY).events == 0
    assert _rows(two) == _rows(one)


@pytest.mark.parametrize("workers_read", [True, False], ids=["workers-read", "read-here"])
def test_a_cold_start_in_workers_keeps_the_same_timelines(
        store: Ungeforloeb, workers_read: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a store, when a cold start judges its cases in two workers that read the cases
    themselves (a SQLite file other processes open) or are sent them (a store they cannot
    open), then the rows and the management timelines equal those of one process."""
    one = KeptVerdicts(store, MemoryKeptStore(), jobs=1)
    one.update(DAY)
    if not workers_read:
        monkeypatch.setattr(store, "settings_elsewhere", lambda: None)
    two = KeptVerdicts(store, MemoryKeptStore(), jobs=2)
    done = two.update(DAY)
    assert done.events == store.recorder.max_notification_id()
    assert _rows(two) == _rows(one)
    assert isinstance(one.store, MemoryKeptStore) and isinstance(two.store, MemoryKeptStore)
    def opened(store_: MemoryKeptStore) -> dict[str, object]:
        # the birth date is sealed with a fresh nonce each time: compare it opened
        return {k: (t.timeline, _opened(store.personal_data, t.birth))
                for k, t in store_.timelines.items()}

    assert opened(two.store) == opened(one.store)
    assert len(one.store.timelines) == len(one.store.cases()) > 0


def test_a_worker_reads_a_case_only_up_to_the_cold_starts_position(
        store: Ungeforloeb) -> None:
    """The workers of a cold start read each case up to the position the start moves to: a
    later event is left to the next update, and a case first recorded later is not kept."""
    settings = store.settings_elsewhere()
    assert settings is not None
    records = list(store.records())
    person = records[0].stream_id
    own = [r for r in records if r.stream_id == person]
    last = own[1].seq  # the person's second event
    newcomer = records[-1]
    later = next(r for r in records
                 if r.stream_type == "YoungPerson" and r.version == 1 and r.seq > last)
    kept, lines, events = kept_module.read_and_keep(
        settings, [person, later.stream_id], last, DAY, None, None, True)
    assert [k.case_id for k in kept] == [t.case_id for t in lines] == [person]
    case = store.case_file(kept_module._uuid(person))
    assert events == len([r for r in case.records if r.seq <= last]) < len(case.records)
    assert newcomer.seq > last


def test_jobs_must_be_at_least_one(store: Ungeforloeb) -> None:
    with pytest.raises(ValueError, match="jobs must be at least 1, got 0"):
        KeptVerdicts(store, jobs=0)
