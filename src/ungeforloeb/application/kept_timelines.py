"""Management timelines kept beside the kept verdicts (issue 16): the group on a day, the flows
over a period and the cohort outcomes read through indexes instead of folding every case.

A case's management timeline (:func:`ungeforloeb.projections.management.timeline`) depends on
what has been recorded, never on the day it is asked about, so it is recomputed only when the
case's events change: :class:`~ungeforloeb.application.kept.KeptVerdicts` hands
:func:`kept_timeline` every case it judges for a new page of events (not the cases it re-judges
because the day rolled) and the store writes the rows in the same transaction as the case's
verdicts and the tracking position. The rows (SQLite, tables ``kept_tl_*``):

- ``kept_tl_case``: one per case — its municipality, its birth date *sealed* with the young
  person's own data key (the same token as in the event; after erasure the generalised birth
  date the events read as), and the outcome facts as JSON;
- ``kept_tl_span``: one per interval the case is in the group in one state, group, team and
  caseworker: ``from_day`` to ``to_day`` (exclusive; NULL while open);
- ``kept_tl_move``: the entries into and exits from the group with their reasons;
- ``kept_tl_mark``: the days that put a case in an outcome cohort (first contact, education
  start, interruption).

:class:`KeptTimelines` answers :func:`~ungeforloeb.projections.management.status_on`,
:func:`~ungeforloeb.projections.management.flows` and
:func:`~ungeforloeb.projections.management.outcomes` from them with the same functions the live
path ends in (:func:`~ungeforloeb.projections.management.status_of`,
:func:`~ungeforloeb.projections.management.flows_of`), so the figures are the same
(property-tested). Known-at questions are not kept: they are computed from the events.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
import orjson

from ungeforloeb.application.personal import PersonalData, open_fields, seal_fields
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.projections.management import (
    DEFAULT_BANDS,
    FlowRow,
    Movement,
    Outcome,
    Point,
    StatusOn,
    Timeline,
    Windows,
    age_on,
    flows_of,
    outcomes,
    status_of,
    timeline,
)

if TYPE_CHECKING:
    from ungeforloeb.application.app import Ungeforloeb
    from ungeforloeb.application.kept import KeptVerdicts

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kept_tl_case (case_id TEXT PRIMARY KEY, municipality TEXT, "
    "birth TEXT, outcome BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS kept_tl_span (case_id TEXT NOT NULL, from_day TEXT NOT NULL, "
    "to_day TEXT, state TEXT NOT NULL, grp TEXT, caseworker_id TEXT, team_id TEXT, "
    "PRIMARY KEY (case_id, from_day)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_tl_span_from ON kept_tl_span (from_day, to_day)",
    "CREATE TABLE IF NOT EXISTS kept_tl_move (case_id TEXT NOT NULL, n INTEGER NOT NULL, "
    "day TEXT NOT NULL, direction TEXT NOT NULL, reason TEXT NOT NULL, "
    "PRIMARY KEY (case_id, n)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_tl_move_day ON kept_tl_move (day)",
    "CREATE TABLE IF NOT EXISTS kept_tl_mark (case_id TEXT NOT NULL, day TEXT NOT NULL, "
    "PRIMARY KEY (case_id, day)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_tl_mark_day ON kept_tl_mark (day)",
    "CREATE INDEX IF NOT EXISTS kept_tl_span_to ON kept_tl_span (to_day)",
)
"""The kept timelines' tables, created beside the kept verdicts' in the store's file."""


@attrs.frozen
class KeptTimeline:
    """One case's timeline as the kept projection holds it: no birth date in clear."""

    timeline: Timeline
    """The timeline, its ``birth_date`` left out."""
    birth: str | None
    """The birth date as a token sealed with the person's data key (after erasure: the
    generalised birth date the events read as); ``None`` without one."""

    @property
    def case_id(self) -> str:
        return self.timeline.case_id


def kept_timeline(case_file: CaseFile, personal: PersonalData) -> KeptTimeline:
    """Read one case into the timeline to keep, its birth date sealed with the person's key."""
    t = timeline(case_file)
    birth: str | None = None
    if t.birth_date is not None:
        state: dict[str, Any] = {"birth_date": t.birth_date.isoformat()}
        person = UUID(t.case_id)
        if personal.data_key(person) is not None:
            seal_fields(personal, "FirstContactRegistered", person, state)
        birth = state["birth_date"]
    return KeptTimeline(_with_birth(t, None), birth)


def _with_birth(t: Timeline, birth: date | None) -> Timeline:
    return Timeline(t.case_id, birth, t.points, t.movements, t.first_contact, t.exit, t.starts,
                    t.completions, t.interruptions, t.activities, t.follow_ups,
                    t.municipality_code)


def _opened(personal: PersonalData, token: str | None) -> date | None:
    if token is None:
        return None
    value = open_fields(personal, {"birth_date": token})["birth_date"]
    return date.fromisoformat(value) if isinstance(value, str) else None


# ----------------------------------------------------------------------------- rows


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _outcome_json(t: Timeline) -> bytes:
    return orjson.dumps({
        "first_contact": t.first_contact,
        "exit": [t.exit.day, t.exit.reason] if t.exit is not None else None,
        "starts": t.starts, "completions": t.completions, "interruptions": t.interruptions,
        "activities": t.activities, "follow_ups": t.follow_ups})


def _days(values: Sequence[str]) -> tuple[date, ...]:
    return tuple(date.fromisoformat(v) for v in values)


def _outcome_timeline(case_id: str, data: bytes) -> Timeline:
    """The outcome facts of a case as a timeline (no points or movements: not needed)."""
    o = orjson.loads(data)
    leave = o["exit"]
    return Timeline(case_id, None, (), (), _d(o["first_contact"]),
                    Movement(date.fromisoformat(leave[0]), "out", leave[1]) if leave else None,
                    _days(o["starts"]),
                    tuple((date.fromisoformat(s), date.fromisoformat(c))
                          for s, c in o["completions"]),
                    _days(o["interruptions"]), _days(o["activities"]), _days(o["follow_ups"]))


def _marks(t: Timeline) -> set[date]:
    """The days that put the case in an outcome cohort."""
    return {*((t.first_contact,) if t.first_contact else ()), *t.starts, *t.interruptions}


def write_sqlite(db: sqlite3.Connection, lines: Sequence[KeptTimeline]) -> None:
    """Replace the kept timeline rows of ``lines``' cases (inside the caller's transaction)."""
    if not lines:
        return
    keys = [(k.case_id,) for k in lines]
    for table in ("kept_tl_case", "kept_tl_span", "kept_tl_move", "kept_tl_mark"):
        db.executemany(f"DELETE FROM {table} WHERE case_id = ?", keys)
    db.executemany("INSERT INTO kept_tl_case VALUES (?, ?, ?, ?)",
                   [(k.case_id, k.timeline.municipality_code, k.birth,
                     _outcome_json(k.timeline)) for k in lines])
    db.executemany("INSERT INTO kept_tl_span VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [row for k in lines for row in _spans(k.timeline)])
    db.executemany("INSERT INTO kept_tl_move VALUES (?, ?, ?, ?, ?)",
                   [(k.case_id, n, m.day.isoformat(), m.direction, m.reason)
                    for k in lines for n, m in enumerate(k.timeline.movements)])
    db.executemany("INSERT INTO kept_tl_mark VALUES (?, ?)",
                   [(k.case_id, d.isoformat()) for k in lines for d in _marks(k.timeline)])


def _spans(t: Timeline) -> Iterator[tuple[str, str, str | None, str, str | None, str | None,
                                          str | None]]:
    for i, p in enumerate(t.points):
        if p.state is None:
            continue
        end = t.points[i + 1].day.isoformat() if i + 1 < len(t.points) else None
        yield (t.case_id, p.day.isoformat(), end, p.state, p.group, p.caseworker_id,
               p.team_id)


# ----------------------------------------------------------------------------- reading


class _Rows:
    """What the figures need of the kept rows; one municipality's, or every case's."""

    def members(self, on: date) -> Iterator[tuple[str, Point, str | None]]:
        raise NotImplementedError

    def stock(self, day: date) -> int:
        raise NotImplementedError

    def movements(self, start: date, end: date) -> Iterator[tuple[str, Movement]]:
        raise NotImplementedError

    def cohort(self, start: date, end: date) -> list[Timeline]:
        raise NotImplementedError


class _SQLiteRows(_Rows):
    def __init__(self, db: sqlite3.Connection, municipality: str | None) -> None:
        self.db = db
        self.where = "" if municipality is None else \
            " AND c.municipality = ?"
        self.params: tuple[str, ...] = () if municipality is None else (municipality,)
        self.join = "" if municipality is None else \
            " JOIN kept_tl_case c ON c.case_id = s.case_id"

    def members(self, on: date) -> Iterator[tuple[str, Point, str | None]]:
        day = on.isoformat()
        for case_id, from_day, state, grp, cw, team, birth in self.db.execute(
                "SELECT s.case_id, s.from_day, s.state, s.grp, s.caseworker_id, s.team_id, "
                "c.birth FROM kept_tl_span s JOIN kept_tl_case c ON c.case_id = s.case_id "
                "WHERE s.from_day <= ? AND (s.to_day IS NULL OR s.to_day > ?)" + self.where,
                (day, day, *self.params)):
            yield case_id, Point(date.fromisoformat(from_day), state, grp, cw, team), birth

    def stock(self, day: date) -> int:
        d = day.isoformat()
        begun = self.db.execute("SELECT COUNT(*) FROM kept_tl_span s" + self.join +
                                " WHERE s.from_day <= ?" + self.where,
                                (d, *self.params)).fetchone()[0]
        ended = self.db.execute("SELECT COUNT(*) FROM kept_tl_span s" + self.join +
                                " WHERE s.to_day <= ?" + self.where,
                                (d, *self.params)).fetchone()[0]
        return int(begun) - int(ended)

    def movements(self, start: date, end: date) -> Iterator[tuple[str, Movement]]:
        for case_id, day, direction, reason in self.db.execute(
                "SELECT s.case_id, s.day, s.direction, s.reason FROM kept_tl_move s" +
                self.join + " WHERE s.day BETWEEN ? AND ?" + self.where,
                (start.isoformat(), end.isoformat(), *self.params)):
            yield case_id, Movement(date.fromisoformat(day), direction, reason)

    def cohort(self, start: date, end: date) -> list[Timeline]:
        return [_outcome_timeline(case_id, data) for case_id, data in self.db.execute(
            "SELECT c.case_id, c.outcome FROM kept_tl_case c WHERE c.case_id IN "
            "(SELECT case_id FROM kept_tl_mark WHERE day BETWEEN ? AND ?)" + self.where,
            (start.isoformat(), end.isoformat(), *self.params))]


class _MemoryRows(_Rows):
    def __init__(self, lines: Iterable[KeptTimeline], municipality: str | None) -> None:
        self.lines = [k for k in lines
                      if municipality is None or k.timeline.municipality_code == municipality]

    def members(self, on: date) -> Iterator[tuple[str, Point, str | None]]:
        for k in self.lines:
            p = k.timeline.at(on)
            if p is not None and p.state is not None:
                yield k.case_id, p, k.birth

    def stock(self, day: date) -> int:
        return sum(1 for _ in self.members(day))

    def movements(self, start: date, end: date) -> Iterator[tuple[str, Movement]]:
        return ((k.case_id, m) for k in self.lines for m in k.timeline.movements
                if start <= m.day <= end)

    def cohort(self, start: date, end: date) -> list[Timeline]:
        return [k.timeline for k in self.lines
                if any(start <= d <= end for d in _marks(k.timeline))]


class KeptTimelines:
    """The management figures from the kept timelines of a kept projection."""

    def __init__(self, kept: KeptVerdicts) -> None:
        self.kept = kept

    def close(self) -> None:
        """Close the kept store's connection (a SQLite file)."""
        from ungeforloeb.application.kept import SQLiteKeptStore

        if isinstance(self.kept.store, SQLiteKeptStore):
            self.kept.store.close()

    def _rows(self, municipality: str | None) -> _Rows | None:
        from ungeforloeb.application.kept import MemoryKeptStore, SQLiteKeptStore

        store = self.kept.store
        if isinstance(store, SQLiteKeptStore):
            return _SQLiteRows(store.connection, municipality)
        if isinstance(store, MemoryKeptStore):
            return _MemoryRows(store.timelines.values(), municipality)
        return None

    def current(self) -> bool:
        """Whether the kept timelines answer for the store as it is now: kept up to its last
        event, every kept case with its timeline. The day does not matter (a timeline does not
        depend on the day it is asked about)."""
        from ungeforloeb.application.kept import MemoryKeptStore, SQLiteKeptStore

        store = self.kept.store
        app = self.kept.app
        if store.position() != (app.recorder.max_notification_id() or 0):
            return False
        if isinstance(store, SQLiteKeptStore):
            row = store.connection.execute(
                "SELECT (SELECT COUNT(*) FROM kept_case), (SELECT COUNT(*) FROM kept_tl_case)"
            ).fetchone()
            return bool(row[0] == row[1])
        if isinstance(store, MemoryKeptStore):
            return len(store.timelines) == len(store.cases())
        return False

    def status_on(self, on: date, *, bands: Sequence[tuple[int, int]] = DEFAULT_BANDS,
                  cap: int | None = None, municipality: str | None = None) -> StatusOn:
        """:func:`~ungeforloeb.projections.management.status_on` from the kept rows."""
        rows = self._need(municipality)
        personal = self.kept.app.personal_data

        def members() -> Iterator[tuple[str, Point, int | None]]:
            for case_id, p, birth in rows.members(on):
                born = _opened(personal, birth)
                yield case_id, p, age_on(born, on)

        return status_of(members(), on, bands=bands, cap=cap)

    def flows(self, start: date, end: date, every: str = "month", *,
              municipality: str | None = None) -> list[FlowRow]:
        """:func:`~ungeforloeb.projections.management.flows` from the kept rows."""
        rows = self._need(municipality)
        return flows_of(rows.stock, rows.movements(start, end), start, end, every)

    def outcomes(self, start: date, end: date, as_of: date, windows: Windows | None = None, *,
                 municipality: str | None = None) -> list[Outcome]:
        """:func:`~ungeforloeb.projections.management.outcomes` from the kept rows: only the
        cases with a first contact, a start or an interruption in [start, end] are read."""
        rows = self._need(municipality)
        return outcomes(rows.cohort(start, end), start, end, as_of, windows)

    def _need(self, municipality: str | None) -> _Rows:
        rows = self._rows(municipality)
        if rows is None:
            raise LookupError("this kept store keeps no management timelines")
        return rows


def open_kept_timelines(app: Ungeforloeb) -> KeptTimelines | None:
    """The kept timelines of a SQLite store when they answer for it as it is now (kept up to
    its last event by ``ungeforloeb keep``), else ``None`` — then the figures are computed from
    the events. Nothing is created in a store that has no kept timelines. Close what is
    returned."""
    from ungeforloeb.application.kept import KeptVerdicts, existing_sqlite_store

    store = existing_sqlite_store(app, "kept_tl_case")
    if store is None:
        return None
    figures = KeptTimelines(KeptVerdicts(app, store))
    if figures.current():
        return figures
    store.close()
    return None


def backfill(kept: KeptVerdicts) -> int:
    """Keep the timelines of kept cases that have none (a SQLite projection kept before
    timelines were); returns how many were written."""
    from ungeforloeb.application.kept import SQLiteKeptStore

    store = kept.store
    if not isinstance(store, SQLiteKeptStore):
        return 0
    missing = [r[0] for r in store.connection.execute(
        "SELECT case_id FROM kept_case WHERE case_id NOT IN (SELECT case_id FROM kept_tl_case) "
        "ORDER BY case_id")]
    for i in range(0, len(missing), 500):
        lines = [kept_timeline(kept.app.case_file(UUID(c)), kept.app.personal_data)
                 for c in missing[i:i + 500]]
        store.write(position=None, day=None, owners={}, cases=[], timelines=lines)
    return len(missing)
