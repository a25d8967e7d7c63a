"""Verdicts kept current: per case, its verdicts, work items and the next day any of them can
change, updated when the case's events change and when the day passes that date.

:class:`KeptVerdicts` follows the store's notification log from its tracking position. Each page
of new events is coalesced per case; every case touched is judged once as of the kept day
(:func:`ungeforloeb.projections.kept.keep`, the one evaluator) and its rows are replaced in the
same transaction that moves the position, so an event is applied exactly once across restarts (a
crash rolls back the page, which is applied again). Rolling the day re-judges only the cases
whose ``next_change`` has come. A cold start reads the log once and judges each case once (in
worker processes, ``jobs``, from :data:`PARALLEL_EVENTS` events on; the rows are written here).

Queries read the kept rows through indexes: one caseworker's or team's worklist, one case's
verdicts, every verdict for the compliance table. Past days (as of an earlier day, as known at an
earlier day) are not kept: they are judged from the events, by the same evaluator.

Storage: :class:`SQLiteKeptStore` keeps the tables in the store's own SQLite file (the embedded
default); :class:`MemoryKeptStore` keeps them in memory (tests, the in-memory store). The
PostgreSQL adapter keeps the same rows in PostgreSQL tables.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import attrs
import orjson

from ungeforloeb.application.kept_timelines import SCHEMA as TIMELINE_SCHEMA
from ungeforloeb.application.kept_timelines import (
    KeptTimeline,
    backfill,
    kept_timeline,
    write_sqlite,
)
from ungeforloeb.application.store_index import person_streams
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord, group_by_case
from ungeforloeb.interchange.parallel import available_cores, pool
from ungeforloeb.projections.kept import KeptCase, KeptVerdict, keep
from ungeforloeb.projections.worklist import WorkItem, item_order
from ungeforloeb.rules.calendar import Calendars
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.verdict import Status

if TYPE_CHECKING:
    from ungeforloeb.application.app import Ungeforloeb

PAGE = 2000
PARALLEL_EVENTS = 20_000
"""A cold start judges its cases in worker processes (``jobs``) from this many events on; a
smaller store is judged in this process (starting workers would cost more than it saves)."""
CHUNK_EVENTS = 4000
"""About this many events of cases per worker task (cases read here)."""
CHUNK_CASES = 120
"""Cases per worker task when the workers read the cases themselves (about 4,000 events)."""
Progress = Callable[[int, int], None]
"""Called with (events applied so far, cases judged so far)."""


class KeptStore(Protocol):
    """Where kept rows live. Every write is one transaction: rows, owners, position and day."""

    def position(self) -> int: ...
    def day(self) -> date | None: ...
    def owners(self, stream_ids: Iterable[str]) -> dict[str, str]: ...
    def write(self, *, position: int | None, day: date | None, owners: dict[str, str],
              cases: Sequence[KeptCase], timelines: Sequence[KeptTimeline] = ()) -> None: ...
    def due(self, day: date) -> list[str]: ...
    def items(self, *, caseworker: str | None, team: str | None) -> list[WorkItem]: ...
    def verdicts(self, case_id: str | None = None) -> list[KeptVerdict]: ...
    def cases(self) -> dict[str, date | None]: ...


# ------------------------------------------------------------------------------- in memory


class MemoryKeptStore:
    """Kept rows in memory."""

    def __init__(self) -> None:
        self._position = 0
        self._day: date | None = None
        self._owners: dict[str, str] = {}
        self._cases: dict[str, KeptCase] = {}
        self.timelines: dict[str, KeptTimeline] = {}

    def position(self) -> int:
        return self._position

    def day(self) -> date | None:
        return self._day

    def owners(self, stream_ids: Iterable[str]) -> dict[str, str]:
        return {s: self._owners[s] for s in stream_ids if s in self._owners}

    def write(self, *, position: int | None, day: date | None, owners: dict[str, str],
              cases: Sequence[KeptCase], timelines: Sequence[KeptTimeline] = ()) -> None:
        self._owners.update(owners)
        self.timelines.update((t.case_id, t) for t in timelines)
        for case in cases:
            self._cases[case.case_id] = case
        if position is not None:
            self._position = position
        if day is not None:
            self._day = day

    def due(self, day: date) -> list[str]:
        return sorted(c.case_id for c in self._cases.values()
                      if c.next_change is not None and c.next_change <= day)

    def items(self, *, caseworker: str | None, team: str | None) -> list[WorkItem]:
        return [i for c in self._cases.values() for i in c.items
                if (caseworker is None or i.caseworker_id == caseworker)
                and (team is None or i.team_id == team)]

    def verdicts(self, case_id: str | None = None) -> list[KeptVerdict]:
        cases = [self._cases[case_id]] if case_id in self._cases else (
            [] if case_id is not None else [self._cases[k] for k in sorted(self._cases)])
        return [v for c in cases for v in c.verdicts]

    def cases(self) -> dict[str, date | None]:
        return {k: c.next_change for k, c in self._cases.items()}


# ------------------------------------------------------------------------------- SQLite

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kept_tracking (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "position INTEGER NOT NULL, day TEXT)",
    "CREATE TABLE IF NOT EXISTS kept_stream (stream_id TEXT PRIMARY KEY, case_id TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS kept_case (case_id TEXT PRIMARY KEY, day TEXT NOT NULL, "
    "next_change TEXT, caseworker_id TEXT, team_id TEXT) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_case_next ON kept_case (next_change)",
    # numbered per case: an admission id reported under two orders gives two subjects of one
    # key, so (case, rule, subject) is not unique
    "CREATE TABLE IF NOT EXISTS kept_verdict (case_id TEXT NOT NULL, n INTEGER NOT NULL, "
    "rule_id TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, due_on TEXT, "
    "control_point TEXT, legal_source TEXT NOT NULL, regime TEXT, period TEXT, grp TEXT, "
    "caseworker_id TEXT, team_id TEXT, met_by INTEGER, PRIMARY KEY (case_id, n)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_verdict_rule ON kept_verdict (rule_id, status)",
    "CREATE TABLE IF NOT EXISTS kept_item (case_id TEXT NOT NULL, n INTEGER NOT NULL, "
    "kind TEXT NOT NULL, title TEXT NOT NULL, due_on TEXT, overdue INTEGER NOT NULL, "
    "rule_id TEXT, legal_source TEXT, caseworker_id TEXT, team_id TEXT, cause TEXT NOT NULL, "
    "PRIMARY KEY (case_id, n)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_item_caseworker ON kept_item (caseworker_id)",
    "CREATE INDEX IF NOT EXISTS kept_item_team ON kept_item (team_id)",
)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _s(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class SQLiteKeptStore:
    """Kept rows in tables of the store's own SQLite file (``kept_*``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 30000")
        # the kept tables are keyed by case id (random UUIDs): a cold start's inserts land all
        # over their B-trees, so SQLite's default page cache (2 MiB) thrashes; pages are taken
        # as needed, up to this
        self._db.execute("PRAGMA cache_size = -262144")
        for statement in (*_SCHEMA, *TIMELINE_SCHEMA):
            self._db.execute(statement)

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's connection: kept tables of other projections (the management
        timelines) live in its file and are written in its transactions."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def position(self) -> int:
        row = self._db.execute("SELECT position FROM kept_tracking WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def day(self) -> date | None:
        row = self._db.execute("SELECT day FROM kept_tracking WHERE id = 1").fetchone()
        return _d(row[0]) if row else None

    def owners(self, stream_ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(stream_ids))
        out: dict[str, str] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for stream_id, case_id in self._db.execute(
                    f"SELECT stream_id, case_id FROM kept_stream WHERE stream_id IN ({marks})",
                    chunk):
                out[stream_id] = case_id
        return out

    def write(self, *, position: int | None, day: date | None, owners: dict[str, str],
              cases: Sequence[KeptCase], timelines: Sequence[KeptTimeline] = ()) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO kept_stream VALUES (?, ?)", owners.items())
            keys = [(case.case_id,) for case in cases]
            # every case's rows replaced in a few statements (not a handful per case)
            db.executemany("DELETE FROM kept_verdict WHERE case_id = ?", keys)
            db.executemany("DELETE FROM kept_item WHERE case_id = ?", keys)
            db.executemany("INSERT OR REPLACE INTO kept_case VALUES (?, ?, ?, ?, ?)",
                           [(case.case_id, case.day.isoformat(), _s(case.next_change),
                             case.caseworker_id, case.team_id) for case in cases])
            db.executemany(
                "INSERT INTO kept_verdict VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(v.case_id, n, v.rule_id, v.subject, v.status.value, _s(v.due_on),
                  v.control_point, v.legal_source, v.regime, v.period, v.group,
                  v.caseworker_id, v.team_id, v.met_by)
                 for case in cases for n, v in enumerate(case.verdicts)])
            db.executemany(
                "INSERT INTO kept_item VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(case.case_id, n, i.kind, i.title, _s(i.due_on), int(i.overdue),
                  i.rule_id, i.legal_source, i.caseworker_id, i.team_id,
                  orjson.dumps(list(i.cause)).decode())
                 for case in cases for n, i in enumerate(case.items)])
            write_sqlite(db, timelines)
            if position is not None or day is not None:
                current = db.execute("SELECT position, day FROM kept_tracking WHERE id = 1"
                                     ).fetchone()
                pos = position if position is not None else (current[0] if current else 0)
                kept_day = _s(day) if day is not None else (current[1] if current else None)
                db.execute("INSERT OR REPLACE INTO kept_tracking VALUES (1, ?, ?)",
                           (pos, kept_day))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def due(self, day: date) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT case_id FROM kept_case WHERE next_change IS NOT NULL AND next_change <= ? "
            "ORDER BY case_id", (day.isoformat(),))]

    def items(self, *, caseworker: str | None, team: str | None) -> list[WorkItem]:
        where, params = [], []
        if caseworker is not None:
            where.append("caseworker_id = ?")
            params.append(caseworker)
        if team is not None:
            where.append("team_id = ?")
            params.append(team)
        sql = ("SELECT case_id, kind, title, due_on, overdue, rule_id, legal_source, "
               "caseworker_id, team_id, cause FROM kept_item"
               + (" WHERE " + " AND ".join(where) if where else ""))
        return [WorkItem(r[0], r[1], r[2], _d(r[3]), bool(r[4]), r[5], r[6], r[7], r[8],
                         tuple(orjson.loads(r[9])))
                for r in self._db.execute(sql, params)]

    def verdicts(self, case_id: str | None = None) -> list[KeptVerdict]:
        sql = "SELECT * FROM kept_verdict" + (" WHERE case_id = ?" if case_id else "") + \
            " ORDER BY case_id, n"
        return [KeptVerdict(r[0], r[2], r[3], Status(r[4]), _d(r[5]), r[6], r[7], r[8], r[9],
                            r[10], r[11], r[12], r[13])
                for r in self._db.execute(sql, (case_id,) if case_id else ())]

    def cases(self) -> dict[str, date | None]:
        return {r[0]: _d(r[1]) for r in self._db.execute(
            "SELECT case_id, next_change FROM kept_case")}


def existing_sqlite_store(app: Ungeforloeb, table: str = "kept_tracking"
                          ) -> SQLiteKeptStore | None:
    """The kept store in ``app``'s own SQLite file when that file already holds the kept table
    ``table`` (looked for read-only: nothing is created in a store that keeps nothing), else
    ``None`` — also for an in-memory or PostgreSQL store. Close what is returned."""
    path = app.env.get("SQLITE_DBNAME") if app.env.get(
        "PERSISTENCE_MODULE") == "eventsourcing.sqlite" else None
    if not path or path == ":memory:" or "mode=memory" in path:
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro",
                                                uri=True)) as c:
            found = c.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    except sqlite3.Error:
        return None
    return SQLiteKeptStore(path) if found else None


# ------------------------------------------------------------------------------- the runner


@attrs.frozen
class Update:
    """What one :meth:`KeptVerdicts.update` did."""

    events: int
    """Events applied."""
    judged: int
    """Case judgements made (a case touched by several pages counts once per page)."""
    rolled: int
    """Cases re-judged because their next change came."""
    day: date
    position: int


class KeptVerdicts:
    """The kept projection of one application's store."""

    def __init__(self, app: Ungeforloeb, store: KeptStore | None = None, *,
                 rules: RuleSet | None = None, calendars: Calendars | None = None,
                 jobs: int | None = None) -> None:
        """``jobs``: worker processes that judge the cases of a cold start (default: the cores
        available, for a store of :data:`PARALLEL_EVENTS` events or more; 1: none). The rows
        are written by this process, in the same transactions, whatever the number."""
        self.app = app
        self.rules = rules if rules is not None else default_rules()
        self._given_calendars = calendars
        self.calendars = calendars or Calendars()
        if jobs is not None and jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        if store is None:
            path = app.env.get("SQLITE_DBNAME") if app.env.get(
                "PERSISTENCE_MODULE") == "eventsourcing.sqlite" else None
            if path and path != ":memory:" and "mode=memory" not in path:
                store = SQLiteKeptStore(path)
            else:
                store = MemoryKeptStore()
        self.store = store

    # ---------------------------------------------------------------- keeping current

    def update(self, on: date | None = None, *, page: int = PAGE,
               progress: Progress | None = None) -> Update:
        """Apply every event recorded since the tracking position, then roll the day to ``on``
        (default: the application's clock's day; never backwards)."""
        kept_day = self.store.day()
        day = on or self.app.clock().date()
        if kept_day is not None and day < kept_day:
            day = kept_day
        position = self.store.position()
        events = judged = 0
        if position == 0 and not self.store.cases():
            events, judged, position = self._cold(day, progress)
        else:
            while True:
                records = list(self.app.records(position + 1, position + page))
                if not records:
                    break
                cases = self._page(records)
                files = list(self._case_files(cases))
                kept = [keep(case_file, day, self.rules, self.calendars) for case_file in files]
                position = records[-1].seq
                self.store.write(position=position, day=day, owners=cases.owners,
                                 cases=kept, timelines=self._timelines(files))
                events += len(records)
                judged += len(kept)
                if progress is not None:
                    progress(events, judged)
        rolled = self.roll(day)
        backfill(self)  # a store kept before timelines were
        return Update(events, judged, rolled, day, position)

    def roll(self, day: date) -> int:
        """Re-judge the cases whose next change has come by ``day``; the kept day becomes
        ``day``."""
        due = self.store.due(day)
        for i in range(0, len(due), 500):
            kept = [keep(self.app.case_file(_uuid(case_id)), day, self.rules, self.calendars)
                    for case_id in due[i:i + 500]]
            self.store.write(position=None, day=day, owners={}, cases=kept)
        if not due:
            self.store.write(position=None, day=day, owners={}, cases=[])
        return len(due)

    def _cold(self, day: date, progress: Progress | None) -> tuple[int, int, int]:
        """An empty projection: judge each case once. With more than one job on a store that
        other processes can open (a SQLite file, PostgreSQL), the workers read their cases
        themselves through the person → streams index and return rows ready to write; else
        this process reads the log once and the cases are judged here or in workers."""
        settings = self.app.settings_elsewhere()
        last = self.app.recorder.max_notification_id() or 0
        jobs = self._jobs(last)
        if jobs > 1 and settings is not None:
            return self._cold_by_case(day, progress, jobs, last, settings)
        count = 0

        def counted() -> Iterator[EventRecord]:
            nonlocal count, last
            for rec in (self.app.records(1, last) if last else ()):
                count += 1
                yield rec

        grouped = group_by_case(counted())
        owners = {r.stream_id: case_id for case_id, recs in grouped.items()
                  if not case_id.startswith("?") for r in recs}
        cases = [(case_id, recs) for case_id, recs in grouped.items()
                 if not case_id.startswith("?")]
        del grouped
        batch: list[KeptCase] = []
        files: list[CaseFile] = []
        judged = 0
        for kept, judged_files in self._judged(cases, day, jobs):
            batch.extend(kept)
            files.extend(judged_files)
            if len(batch) >= 500:
                self.store.write(position=None, day=day, owners={}, cases=batch,
                                 timelines=self._timelines(files))
                judged += len(batch)
                batch, files = [], []
                if progress is not None:
                    progress(count, judged)
        judged += len(batch)
        self.store.write(position=last, day=day, owners=owners, cases=batch,
                         timelines=self._timelines(files))
        if progress is not None:
            progress(count, judged)
        return count, judged, last

    def _jobs(self, events: int) -> int:
        if self.jobs is not None:
            return self.jobs
        return available_cores() if events >= PARALLEL_EVENTS else 1

    def _judged(self, cases: list[tuple[str, list[EventRecord]]], day: date,
                jobs: int) -> Iterator[tuple[list[KeptCase], list[CaseFile]]]:
        """Each case kept as of ``day`` with its case file, a chunk at a time, in case order:
        in worker processes when there is more than one job."""
        if jobs == 1 or len(cases) < 2:
            for case_id, recs in cases:
                case_file = CaseFile(case_id, recs)
                yield [keep(case_file, day, self.rules, self.calendars)], [case_file]
            return
        # the default rule set and calendars are the workers' own (not sent with every task)
        rules = None if self.rules is default_rules() else self.rules
        records_of = dict(cases)
        tasks = ((chunk, day, rules, self._given_calendars) for chunk in _chunks(cases))
        with pool(jobs, ("ungeforloeb.application.kept",)) as workers:
            for kept in workers.map(keep_chunk, tasks):
                yield kept, [CaseFile(k.case_id, records_of[k.case_id]) for k in kept]

    def _cold_by_case(self, day: date, progress: Progress | None, jobs: int, last: int,
                      settings: dict[str, str]) -> tuple[int, int, int]:
        """The cold start with the reading in the workers: this process lists the cases and
        their streams from the person → streams index and writes the rows the workers return
        (each case's events up to ``last``, the position it moves to)."""
        index = person_streams(self.app.recorder)
        owners: dict[str, str] = {}
        people: dict[str, None] = {}
        for person, stream in index.owner_pairs():
            owners[str(stream)] = str(person)
            people.setdefault(str(person), None)
        rules = None if self.rules is default_rules() else self.rules
        timelines = isinstance(self.store, (SQLiteKeptStore, MemoryKeptStore))
        ids = sorted(people)
        tasks = ((settings, ids[i:i + CHUNK_CASES], last, day, rules, self._given_calendars,
                  timelines) for i in range(0, len(ids), CHUNK_CASES))
        count = judged = 0
        batch: list[KeptCase] = []
        lines: list[KeptTimeline] = []
        with pool(jobs, ("ungeforloeb.application.kept",)) as workers:
            for kept, kept_lines, events in workers.map(read_and_keep, tasks):
                batch.extend(kept)
                lines.extend(kept_lines)
                count += events
                if len(batch) >= 500:
                    self.store.write(position=None, day=day, owners={}, cases=batch,
                                     timelines=lines)
                    judged += len(batch)
                    batch, lines = [], []
                    if progress is not None:
                        progress(count, judged)
        judged += len(batch)
        self.store.write(position=last, day=day, owners=owners, cases=batch, timelines=lines)
        if progress is not None:
            progress(count, judged)
        return count, judged, last

    def _page(self, records: Sequence[EventRecord]) -> _Touched:
        known = self.store.owners(r.stream_id for r in records
                                  if r.stream_type != "YoungPerson")
        touched = _Touched()
        for r in records:
            if r.stream_type == "YoungPerson":
                case_id = r.stream_id
            else:
                found = known.get(r.stream_id) or touched.owners.get(r.stream_id)
                if found is None:
                    yp = r.payload.get("young_person_id")
                    if not isinstance(yp, str):
                        continue  # a stream whose first event was never seen: the audit says so
                    found = yp
                    touched.owners[r.stream_id] = yp
                case_id = found
            touched.cases.setdefault(case_id, None)
        return touched

    def _timelines(self, files: Sequence[CaseFile]) -> list[KeptTimeline]:
        """The management timelines of cases whose events changed (issue 16), kept by the
        SQLite and in-memory stores."""
        if not isinstance(self.store, (SQLiteKeptStore, MemoryKeptStore)):
            return []
        return [kept_timeline(f, self.app.personal_data) for f in files]

    def _case_files(self, touched: _Touched) -> Iterator[CaseFile]:
        for case_id in touched.cases:
            yield self.app.case_file(_uuid(case_id))

    # ---------------------------------------------------------------- queries

    def worklist(self, *, caseworker: str | None = None,
                 team: str | None = None) -> list[WorkItem]:
        """The kept worklist of the kept day, overdue first, then by due date."""
        items = self.store.items(caseworker=caseworker, team=team)
        items.sort(key=item_order)
        return items

    def verdicts(self, case_id: str | None = None) -> list[KeptVerdict]:
        """One case's kept verdicts (or every case's), by case, rule and subject."""
        return self.store.verdicts(case_id)

    @property
    def day(self) -> date | None:
        """The day the kept rows are for."""
        return self.store.day()


_WORKER_APP: list[tuple[tuple[tuple[str, str], ...], Ungeforloeb]] = []
"""A worker's own application on the store (opened once per worker process)."""


def read_and_keep(settings: dict[str, str], case_ids: list[str], last: int, day: date,
                  rules: RuleSet | None, calendars: Calendars | None, timelines: bool
                  ) -> tuple[list[KeptCase], list[KeptTimeline], int]:
    """A worker's task: read each case's events up to notification ``last`` through the
    person → streams index, keep it as of ``day`` (``None``: the default rules or calendars)
    and, with ``timelines``, its management timeline. Returns the kept cases, their timelines
    and the number of events read. A case with no event up to ``last`` (first recorded after
    the cold start began) is left to the next update."""
    from ungeforloeb.application.app import Ungeforloeb

    key = tuple(sorted(settings.items()))
    if not _WORKER_APP or _WORKER_APP[0][0] != key:
        if _WORKER_APP:
            _WORKER_APP.pop()[1].close()
        _WORKER_APP.append((key, Ungeforloeb(env=settings)))
    app = _WORKER_APP[0][1]
    rule_set = rules if rules is not None else default_rules()
    calendars = calendars or Calendars()
    kept: list[KeptCase] = []
    lines: list[KeptTimeline] = []
    events = 0
    for case_id in case_ids:
        records = app.case_records(UUID(case_id), last)
        if not records:
            continue
        events += len(records)
        case_file = CaseFile(case_id, records)
        kept.append(keep(case_file, day, rule_set, calendars))
        if timelines:
            lines.append(kept_timeline(case_file, app.personal_data))
    return kept, lines, events


def keep_chunk(cases: list[tuple[str, list[EventRecord]]], day: date, rules: RuleSet | None,
               calendars: Calendars | None) -> list[KeptCase]:
    """Keep a chunk of cases as of ``day`` (a worker's task; ``None``: the default rules or
    calendars)."""
    rule_set = rules if rules is not None else default_rules()
    return [keep(CaseFile(case_id, recs), day, rule_set, calendars)
            for case_id, recs in cases]


def _chunks(cases: list[tuple[str, list[EventRecord]]]
            ) -> Iterator[list[tuple[str, list[EventRecord]]]]:
    chunk: list[tuple[str, list[EventRecord]]] = []
    events = 0
    for case in cases:
        chunk.append(case)
        events += len(case[1])
        if events >= CHUNK_EVENTS:
            yield chunk
            chunk, events = [], 0
    if chunk:
        yield chunk


@attrs.define
class _Touched:
    cases: dict[str, None] = attrs.Factory(dict)
    owners: dict[str, str] = attrs.Factory(dict)


def _uuid(case_id: str) -> UUID:
    return UUID(case_id)

