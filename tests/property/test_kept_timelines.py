"""The kept management timelines give the same figures as the timelines computed from the
events: on random histories, on several days, for every case and for one municipality, after a
restart and after late-recorded events — in the SQLite file and in memory."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from test_same_answers import PERSON_COMMANDS, _person, random_history

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.kept import KeptStore, KeptVerdicts, MemoryKeptStore, SQLiteKeptStore
from ungeforloeb.application.kept_timelines import KeptTimelines
from ungeforloeb.domain.errors import DomainError
from ungeforloeb.projections.management import Timeline, flows, outcomes, status_on, timelines


def _same_figures(app: Ungeforloeb, kept: KeptTimelines, data: st.DataObject,
                  start: date) -> None:
    lines = timelines(app.case_files().values())
    municipalities = sorted({t.municipality_code for t in lines if t.municipality_code})
    # both sides of every day a case changed state, entered or left: the stock before and after
    changes = sorted({p.day for t in lines for p in t.points})
    for day in changes[:30]:
        for d in (day - timedelta(days=1), day):
            assert [r.to_dict() for r in kept.flows(d, d, "week")] == \
                [r.to_dict() for r in flows(lines, d, d, "week")], d
            assert kept.status_on(d).to_dict() == status_on(lines, d).to_dict(), d
    for _ in range(3):
        day = start + timedelta(days=data.draw(st.integers(-20, 500), label="day"))
        bands = data.draw(st.sampled_from([((15, 17), (18, 24), (25, 29)), ((16, 20),)]),
                          label="bands")
        first = day - timedelta(days=data.draw(st.integers(0, 400), label="length"))
        every = data.draw(st.sampled_from(["week", "month"]), label="every")
        where: list[tuple[str | None, list[Timeline]]] = [(None, lines)]
        where += [(m, [t for t in lines if t.municipality_code == m]) for m in municipalities]
        for municipality, these in where:
            assert kept.status_on(day, bands=bands, cap=5, municipality=municipality
                                  ).to_dict() == status_on(these, day, bands=bands,
                                                           cap=5).to_dict()
            assert [r.to_dict() for r in kept.flows(first, day, every,
                                                     municipality=municipality)] == \
                [r.to_dict() for r in flows(these, first, day, every)]
            assert [o.to_dict() for o in kept.outcomes(first, day, day,
                                                       municipality=municipality)] == \
                [o.to_dict() for o in outcomes(these, first, day, day)]


@given(st.data())
def test_the_kept_figures_equal_the_figures_computed_from_the_events(
        data: st.DataObject) -> None:
    app, start = random_history(data)
    in_sqlite = data.draw(st.booleans(), label="sqlite")
    page = data.draw(st.sampled_from([1, 3, 2000]), label="page")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kept.sqlite"
        memory = MemoryKeptStore()

        def store() -> KeptStore:  # a restart: the SQLite file opened again
            return SQLiteKeptStore(path) if in_sqlite else memory

        first = KeptVerdicts(app, store())
        first.update(start + timedelta(days=30), page=page)
        figures = KeptTimelines(first)
        assert figures.current()
        _same_figures(app, figures, data, start)
        # late-recorded events: recorded after the update, happened before it
        s: dict[str, list[UUID]] = {"people": [UUID(c) for c in app.case_files()],
                                    "orders": [], "cases": []}
        clock = app.clock
        for _ in range(data.draw(st.integers(1, 6), label="late commands")):
            day = start + timedelta(days=data.draw(st.integers(0, 300), label="late day"))
            command = data.draw(st.sampled_from([*PERSON_COMMANDS, _person]))
            clock.set(day + timedelta(days=data.draw(st.integers(0, 60))))  # type: ignore[attr-defined]
            with contextlib.suppress(DomainError):
                command(app, data.draw, day, s)
        moved = app.recorder.max_notification_id() != first.store.position()
        again = KeptVerdicts(app, store())
        assert KeptTimelines(again).current() is not moved
        again.update(start + timedelta(days=31), page=page)
        assert KeptTimelines(again).current()
        _same_figures(app, KeptTimelines(again), data, start)


@given(st.data())
def test_erased_people_count_in_the_kept_figures_as_in_the_computed_ones(
        data: st.DataObject) -> None:
    """Kept before erasure (the birth date sealed with the person's key) and caught up after
    it (the generalised birth date the events then read as): the figures stay the computed
    ones; every kept birth date is sealed but those of the people erased."""
    app, start = random_history(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kept.sqlite"
        kept = KeptVerdicts(app, SQLiteKeptStore(path))
        kept.update(start + timedelta(days=30))
        people = sorted(k for k in app.case_files() if not k.startswith("?"))
        for birth in _kept_births(path).values():
            assert birth is None or birth.startswith("sealed:v1:")
        erased = data.draw(st.lists(st.sampled_from(people), unique=True), label="erased") \
            if people else []
        day = max(max(r.occurred_on, r.recorded_on) for r in app.records()) + timedelta(days=1)
        app.clock.set(day)  # type: ignore[attr-defined]
        for person in erased:
            app.erase_personal_data(UUID(person), occurred_on=day, recorded_by="dpo-1")
        again = KeptVerdicts(app, SQLiteKeptStore(path))
        again.update(day)
        figures = KeptTimelines(again)
        assert figures.current()
        _same_figures(app, figures, data, start)
        for case_id, birth in _kept_births(path).items():
            if birth is not None:  # sealed, or erased: the generalised date, not sealed
                assert birth.startswith("sealed:v1:") is (case_id not in erased), case_id


def _kept_births(path: Path) -> dict[str, str | None]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT case_id, birth FROM kept_tl_case").fetchall())
