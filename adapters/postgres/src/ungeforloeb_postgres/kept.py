"""The kept verdicts in PostgreSQL: the core's kept projection
(:class:`ungeforloeb.application.kept.KeptVerdicts`) with its rows in PostgreSQL tables.

:class:`PostgresKeptStore` is the core's ``KeptStore`` on PostgreSQL: the same tables as the
embedded SQLite default (``kept_tracking``, ``kept_stream``, ``kept_case``, ``kept_verdict``,
``kept_item``), in a schema of their own. Every write is one transaction: the rows of every
case a page touched, the streams' owners, and the tracking position and day. So each event is
applied exactly once across restarts: a crash rolls back the page with its position, and the
next run applies that page again. The position is read when the run starts and checked again
(row locked) when a page is written: a second runner on the same schema that moved it in the
meantime stops this one with :class:`PositionMovedError` and nothing doubled.

One evaluation per changed case per page (a page's events coalesced per case), not one per day
of a window; a cold start reads the store once and judges each case once; rolling the day
re-judges only the cases whose ``next_change`` has come. Rows are written by ``COPY``.

:func:`keep` is the composition root: the application's store from its environment, the tables
in ``schema``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg.sql import SQL, Composed, Identifier

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.kept import PAGE, KeptVerdicts, Progress, Update
from ungeforloeb.projections.kept import KeptCase, KeptVerdict
from ungeforloeb.projections.worklist import WorkItem
from ungeforloeb.rules.verdict import Status

__all__ = ["PositionMovedError", "PostgresKeptStore", "follow", "keep", "today"]

_TABLES = (
    "CREATE TABLE IF NOT EXISTS {s}.kept_tracking (id integer PRIMARY KEY CHECK (id = 1), "
    "position bigint NOT NULL, day date)",
    "CREATE TABLE IF NOT EXISTS {s}.kept_stream (stream_id text PRIMARY KEY, "
    "case_id text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.kept_case (case_id text PRIMARY KEY, day date NOT NULL, "
    "next_change date, caseworker_id text, team_id text)",
    "CREATE INDEX IF NOT EXISTS kept_case_next ON {s}.kept_case (next_change)",
    "CREATE TABLE IF NOT EXISTS {s}.kept_verdict (case_id text NOT NULL, n integer NOT NULL, "
    "rule_id text NOT NULL, subject text NOT NULL, status text NOT NULL, due_on date, "
    "control_point text, legal_source text NOT NULL, regime text, period text, grp text, "
    "caseworker_id text, team_id text, met_by bigint, PRIMARY KEY (case_id, n))",
    "CREATE INDEX IF NOT EXISTS kept_verdict_rule ON {s}.kept_verdict (rule_id, status)",
    "CREATE TABLE IF NOT EXISTS {s}.kept_item (case_id text NOT NULL, n integer NOT NULL, "
    "kind text NOT NULL, title text NOT NULL, due_on date, overdue boolean NOT NULL, "
    "rule_id text, legal_source text, caseworker_id text, team_id text, "
    "cause bigint[] NOT NULL, PRIMARY KEY (case_id, n))",
    "CREATE INDEX IF NOT EXISTS kept_item_caseworker ON {s}.kept_item (caseworker_id)",
    "CREATE INDEX IF NOT EXISTS kept_item_team ON {s}.kept_item (team_id)",
)

_VERDICT_COLUMNS = ("case_id, n, rule_id, subject, status, due_on, control_point, legal_source, "
                    "regime, period, grp, caseworker_id, team_id, met_by")
_ITEM_COLUMNS = ("case_id, n, kind, title, due_on, overdue, rule_id, legal_source, "
                 "caseworker_id, team_id, cause")


class PositionMovedError(RuntimeError):
    """Another runner moved the tracking position of the same schema while this one ran."""


def conninfo(app_env: Mapping[str, str]) -> dict[str, Any]:
    """Connection settings from the application's ``POSTGRES_*`` variables (as the store's)."""
    return {"dbname": app_env.get("POSTGRES_DBNAME", ""),
            "host": app_env.get("POSTGRES_HOST", "127.0.0.1"),
            "port": app_env.get("POSTGRES_PORT", "5432"),
            "user": app_env.get("POSTGRES_USER", ""),
            "password": app_env.get("POSTGRES_PASSWORD", "")}


class PostgresKeptStore:
    """The kept rows in PostgreSQL tables of ``schema`` (created if need be)."""

    def __init__(self, app_env: Mapping[str, str], schema: str) -> None:
        if not schema or not schema.strip():
            raise ValueError("a schema for the kept tables is required")
        self.schema = schema
        self._conn: psycopg.Connection[Any] = psycopg.connect(**conninfo(app_env),
                                                              autocommit=True)
        self._s = Identifier(schema)
        self._read: int | None = None
        """The position last read or written by this store (checked when writing)."""
        with self._conn.transaction():
            self._conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {s}").format(s=self._s))
            for statement in _TABLES:
                self._conn.execute(self._q(statement))

    def _q(self, text: str) -> Composed:
        return SQL(text).format(s=self._s)

    def close(self) -> None:
        self._conn.close()

    def _tracking(self, lock: bool = False) -> tuple[int, date | None] | None:
        row = self._conn.execute(self._q(
            "SELECT position, day FROM {s}.kept_tracking WHERE id = 1"
            + (" FOR UPDATE" if lock else ""))).fetchone()
        return (int(row[0]), row[1]) if row is not None else None

    def position(self) -> int:
        found = self._tracking()
        self._read = found[0] if found is not None else 0
        return self._read

    def day(self) -> date | None:
        found = self._tracking()
        return found[1] if found is not None else None

    def owners(self, stream_ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(stream_ids))
        if not wanted:
            return {}
        return {r[0]: r[1] for r in self._conn.execute(self._q(
            "SELECT stream_id, case_id FROM {s}.kept_stream WHERE stream_id = ANY(%s)"),
            (wanted,))}

    def write(self, *, position: int | None, day: date | None, owners: dict[str, str],
              cases: Sequence[KeptCase], timelines: Sequence[object] = ()) -> None:
        # management timelines are kept by the SQLite and in-memory stores only
        # (KeptVerdicts hands this store none); PostgreSQL computes the figures live
        conn = self._conn
        with conn.transaction():
            current = self._tracking(lock=True)  # one writer at a time, position checked
            at = current[0] if current is not None else 0
            if self._read is not None and at != self._read:
                raise PositionMovedError(
                    f"the kept position of schema {self.schema} moved from {self._read} to "
                    f"{at} while this run applied events: another runner keeps it; stopping "
                    f"(nothing of this page was written)")
            with conn.cursor() as cur:
                if owners:
                    cur.executemany(self._q(
                        "INSERT INTO {s}.kept_stream VALUES (%s, %s) ON CONFLICT (stream_id) "
                        "DO UPDATE SET case_id = excluded.case_id"), list(owners.items()))
                if cases:
                    keys = [c.case_id for c in cases]
                    for table in ("kept_verdict", "kept_item", "kept_case"):
                        cur.execute(self._q(f"DELETE FROM {{s}}.{table} WHERE case_id = ANY(%s)"),
                                    (keys,))
                    self._copy(cur, "kept_case",
                               "case_id, day, next_change, caseworker_id, team_id",
                               [(c.case_id, c.day, c.next_change, c.caseworker_id, c.team_id)
                                for c in cases])
                    self._copy(cur, "kept_verdict", _VERDICT_COLUMNS,
                               [(v.case_id, n, v.rule_id, v.subject, v.status.value, v.due_on,
                                 v.control_point, v.legal_source, v.regime, v.period, v.group,
                                 v.caseworker_id, v.team_id, v.met_by)
                                for c in cases for n, v in enumerate(c.verdicts)])
                    self._copy(cur, "kept_item", _ITEM_COLUMNS,
                               [(c.case_id, n, i.kind, i.title, i.due_on, i.overdue, i.rule_id,
                                 i.legal_source, i.caseworker_id, i.team_id, list(i.cause))
                                for c in cases for n, i in enumerate(c.items)])
                if position is not None or day is not None:
                    pos = position if position is not None else at
                    kept_day = day if day is not None else (
                        current[1] if current is not None else None)
                    cur.execute(self._q(
                        "INSERT INTO {s}.kept_tracking VALUES (1, %s, %s) ON CONFLICT (id) "
                        "DO UPDATE SET position = excluded.position, day = excluded.day"),
                        (pos, kept_day))
                    self._read = pos

    def _copy(self, cur: psycopg.Cursor[Any], table: str, columns: str,
              rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with cur.copy(self._q(f"COPY {{s}}.{table} ({columns}) FROM STDIN")) as copy:
            for row in rows:
                copy.write_row(row)

    def due(self, day: date) -> list[str]:
        return [r[0] for r in self._conn.execute(self._q(
            "SELECT case_id FROM {s}.kept_case WHERE next_change <= %s "
            "ORDER BY case_id COLLATE \"C\""), (day,))]

    def items(self, *, caseworker: str | None, team: str | None) -> list[WorkItem]:
        where, params = [], []
        if caseworker is not None:
            where.append("caseworker_id = %s")
            params.append(caseworker)
        if team is not None:
            where.append("team_id = %s")
            params.append(team)
        sql = ("SELECT case_id, kind, title, due_on, overdue, rule_id, legal_source, "
               "caseworker_id, team_id, cause FROM {s}.kept_item"
               + (" WHERE " + " AND ".join(where) if where else ""))
        return [WorkItem(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8],
                         tuple(int(x) for x in r[9]))
                for r in self._conn.execute(self._q(sql), params)]

    def verdicts(self, case_id: str | None = None) -> list[KeptVerdict]:
        sql = (f"SELECT {_VERDICT_COLUMNS} FROM {{s}}.kept_verdict"
               + (" WHERE case_id = %s" if case_id else "")
               + " ORDER BY case_id COLLATE \"C\", n")
        return [KeptVerdict(r[0], r[2], r[3], Status(r[4]), r[5], r[6], r[7], r[8], r[9],
                            r[10], r[11], r[12], None if r[13] is None else int(r[13]))
                for r in self._conn.execute(self._q(sql), (case_id,) if case_id else ())]

    def cases(self) -> dict[str, date | None]:
        return {r[0]: r[1] for r in self._conn.execute(self._q(
            "SELECT case_id, next_change FROM {s}.kept_case"))}


def today() -> date:
    """The UTC day."""
    return datetime.now(UTC).date()


def _postgres_only(app_env: Mapping[str, str]) -> None:
    if app_env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        raise ValueError("the kept verdicts in PostgreSQL follow a PostgreSQL event store: set "
                         "PERSISTENCE_MODULE=eventsourcing.postgres and POSTGRES_*")


def keep(app_env: Mapping[str, str], schema: str, on: date | None = None, *,
         page: int = PAGE, progress: Progress | None = None,
         store: PostgresKeptStore | None = None) -> Update:
    """Apply every event stored since the tracked position to the kept rows in ``schema``,
    then roll the day to ``on`` (default: today; never backwards). ``store``: one already
    open (left open)."""
    _postgres_only(app_env)
    app = Ungeforloeb(env=dict(app_env))
    own = store is None
    kept_store = store if store is not None else PostgresKeptStore(app_env, schema)
    try:
        return KeptVerdicts(app, kept_store).update(on, page=page, progress=progress)
    finally:
        if own:
            kept_store.close()
        app.close()


def follow(app_env: Mapping[str, str], schema: str, *, on: date | None = None,
           poll: float = 30.0, stop: threading.Event | None = None,
           each: Callable[[Update], None] | None = None) -> Update | None:
    """Keep the rows in ``schema`` current until ``stop`` is set: every ``poll`` seconds apply
    what is new and roll the day to ``on`` (default: the UTC day, so the kept day follows the
    calendar). One application and one connection throughout; ``each`` is called with every
    round's :class:`Update`. Returns the last round's."""
    _postgres_only(app_env)
    stopping = stop if stop is not None else threading.Event()
    app = Ungeforloeb(env=dict(app_env))
    store = PostgresKeptStore(app_env, schema)
    last: Update | None = None
    try:
        kept = KeptVerdicts(app, store)
        while True:
            last = kept.update(on if on is not None else today())
            if each is not None:
                each(last)
            if stopping.wait(poll):
                return last
    finally:
        store.close()
        app.close()
