"""Management timelines kept in the store's SQLite file: the figures equal those computed from
the events (several municipalities), a timeline is recomputed only when its case's events
change (not when the day rolls), and a projection kept before timelines existed gets them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application import kept as kept_module
from ungeforloeb.application.kept import KeptVerdicts
from ungeforloeb.application.kept_timelines import KeptTimelines, open_kept_timelines
from ungeforloeb.projections.management import flows, outcomes, status_on, timelines
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario

DAY = date(2024, 10, 1)


@pytest.fixture
def store(tmp_path: Path) -> Ungeforloeb:
    clock = SettableClock(date(2024, 1, 1))
    app = Ungeforloeb(tmp_path / "store.sqlite", clock=clock)
    simulate(app, clock, Scenario(people=40, seed=5))
    clock.set(date(2024, 3, 1))
    for code, born in (("147", date(2006, 7, 1)), ("147", date(2001, 1, 31))):
        app.register_first_contact(occurred_on=date(2024, 2, 12), recorded_by="cw-9",
                                   municipality_code=code, birth_date=born)
    return app


def test_the_kept_figures_are_the_computed_ones_for_every_municipality(
        store: Ungeforloeb) -> None:
    KeptVerdicts(store).update(DAY)
    kept = open_kept_timelines(store)
    assert kept is not None
    lines = timelines(store.case_files().values())
    codes = {t.municipality_code for t in lines}
    assert len(codes) == 2
    for code in (None, *codes):
        these = [t for t in lines if code is None or t.municipality_code == code]
        for day in (date(2024, 2, 11), date(2024, 2, 12), date(2024, 6, 30), DAY):
            assert kept.status_on(day, municipality=code).to_dict() == \
                status_on(these, day).to_dict()
        assert [r.to_dict() for r in kept.flows(date(2024, 1, 1), DAY, "week",
                                                municipality=code)] == \
            [r.to_dict() for r in flows(these, date(2024, 1, 1), DAY, "week")]
        assert [o.to_dict() for o in kept.outcomes(date(2024, 1, 1), DAY, date(2025, 6, 1),
                                                   municipality=code)] == \
            [o.to_dict() for o in outcomes(these, date(2024, 1, 1), DAY, date(2025, 6, 1))]
    kept.close()


def test_rolling_the_day_recomputes_no_timeline(store: Ungeforloeb,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    kept = KeptVerdicts(store)
    kept.update(DAY)
    made: list[str] = []
    real = kept_module.kept_timeline

    def counted(case_file: Any, personal: Any) -> Any:
        made.append(case_file.young_person_id)
        return real(case_file, personal)

    monkeypatch.setattr(kept_module, "kept_timeline", counted)
    done = kept.update(date(2025, 3, 1))
    assert done.rolled > 0 and made == []
    yp = next(iter(store.case_files()))
    from uuid import UUID

    store.clock = SettableClock(date(2025, 3, 1))  # type: ignore[method-assign]
    store.assign_caseworker(UUID(yp), occurred_on=date(2025, 2, 27), recorded_by="cw-9",
                            caseworker_id="cw-9", team_id="team-9")
    kept.update(date(2025, 3, 1))
    assert made == [yp]
    figures = KeptTimelines(kept)
    assert figures.current()
    assert figures.status_on(date(2025, 2, 27)).to_dict() == status_on(
        timelines(store.case_files().values()), date(2025, 2, 27)).to_dict()


def test_a_projection_kept_before_timelines_gets_them_on_its_next_update(
        store: Ungeforloeb) -> None:
    KeptVerdicts(store).update(DAY)
    path = store.env["SQLITE_DBNAME"]
    with sqlite3.connect(path) as db:
        for table in ("kept_tl_case", "kept_tl_span", "kept_tl_move", "kept_tl_mark"):
            db.execute(f"DELETE FROM {table}")
    assert open_kept_timelines(store) is None  # not current: computed from the events
    KeptVerdicts(store).update(DAY)
    kept = open_kept_timelines(store)
    assert kept is not None
    assert kept.status_on(DAY).to_dict() == status_on(
        timelines(store.case_files().values()), DAY).to_dict()
    kept.close()
