"""The live projection: eventsourcing's ProjectionRunner keeps the tables current.

For every event the runner delivers (in notification order, from the tracked position on), one
transaction of the view's connection:

1. takes the window row ``FOR SHARE`` (a window move, :func:`advance`, takes it ``FOR UPDATE``
   and so never interleaves with an event);
2. routes the event's stream to its young person (``stream_owner``, as ``group_by_case`` does);
3. reads the case's whole record set up to the event's position from the store and computes the
   case's rows with the core's pure projections (:func:`ungeforloeb_postgres.rows.case_rows`) —
   the fold orders facts by the day they happened, so a late-recorded event dated earlier
   changes the case as a whole, and the case is always recomputed, never patched;
4. replaces the case's rows and records the tracking position.

The rows and the position commit together or not at all; a position already tracked is refused
by the tracking table (eventsourcing's single-row ``INSERT … ON CONFLICT … WHERE`` returns no row
and raises ``IntegrityError``), which rolls the rows back. So each event is applied exactly once
to the tables, across crashes and restarts; a second runner on the same schema doubles nothing
either, but its thread stops on that error (run one runner per schema).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, ClassVar, Self, cast
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, Notification, StoredEvent, Tracking
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.utils import Environment, EnvType
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.identity import MemoryIdentityStore
from ungeforloeb.application.mapper import OrjsonMapper
from ungeforloeb.casefile.decode import record_from_state
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.projections.sources import WorkItemSource
from ungeforloeb.projections.status import UNROUTED_PREFIX
from ungeforloeb_postgres.rows import case_rows
from ungeforloeb_postgres.tables import PROJECTION_NAME, CaseTables

DEFAULT_DAYS = 14
"""Days of the worklist window by default: today and the 13 days after."""

APP_NAME = Ungeforloeb.name


def today() -> date:
    """The UTC day."""
    return datetime.now(UTC).date()


# ---------------------------------------------------------------- the subscribed application


class RecordMapper(OrjsonMapper):
    """The subscription's mapper: a stored notification becomes a light
    :class:`~ungeforloeb.casefile.records.EventRecord` (no aggregate event objects)."""

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if not isinstance(stored_event, Notification):  # pragma: no cover - subscriptions only
            raise TypeError("RecordMapper maps notifications (with their position) only")
        return record_from_state(stored_event.id, str(stored_event.originator_id),
                                 stored_event.originator_version, stored_event.topic,
                                 self.decode_state(stored_event.state))


class SubscribedApp(Ungeforloeb):
    """The application as the runner constructs it (``application_class(env)``): the same
    store, records instead of domain events, no identity store of its own."""

    name = APP_NAME

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env=dict(env or {}), identities=MemoryIdentityStore())

    def construct_mapper(self) -> RecordMapper:
        return RecordMapper(transcoder=self.factory.transcoder(),
                            cipher=self.factory.cipher(),
                            compressor=self.factory.compressor())


class CaseReader:
    """Reads one case's records (every stream of the young person) up to a position."""

    def __init__(self, app_env: Mapping[str, str]) -> None:
        self.app = Ungeforloeb(env=dict(app_env), identities=MemoryIdentityStore())
        recorder = self.app.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            self.app.close()
            raise ValueError("ungeforloeb-postgres reads a PostgreSQL event store: set "
                             "PERSISTENCE_MODULE=eventsourcing.postgres and POSTGRES_*")
        self.recorder = recorder
        mapper = self.app.mapper
        assert isinstance(mapper, OrjsonMapper)
        self.mapper = mapper
        self.statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {0}.{1} WHERE originator_id = ANY(%s) AND notification_id <= %s "
            "ORDER BY notification_id").format(Identifier(recorder.datastore.schema),
                                               Identifier(recorder.events_table_name))

    def records(self, stream_ids: Sequence[UUID], upto: int) -> list[EventRecord]:
        with self.recorder.datastore.transaction(commit=False) as curs:
            curs.execute(self.statement, (list(stream_ids), upto))
            rows = curs.fetchall()
        return [record_from_state(int(r["notification_id"]), str(r["originator_id"]),
                                  int(r["originator_version"]), r["topic"],
                                  self.mapper.decode_state(bytes(r["state"])))
                for r in rows]

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.app.close()


# ---------------------------------------------------------------- applying one event


def apply_record(view: CaseTables, curs: Cursor[DictRow], reader: CaseReader,
                 record: EventRecord, position: int,
                 sources: Sequence[WorkItemSource] | None = None) -> str:
    """Recompute and replace the rows of the record's case, in the caller's transaction.
    Returns the case key (``"?" + stream id`` for a stream whose first event was never seen:
    such streams get no rows, as the status projection keeps them apart)."""
    window = view.window(curs, lock="share")
    if window is None:
        raise RuntimeError(f"no worklist window in schema {view.schema}: use start() or "
                           f"`ungeforloeb-postgres run`, which set it")
    key = view.owner_of(curs, record)
    if key.startswith(UNROUTED_PREFIX):
        return key
    records = reader.records(view.streams_of(curs, key), position)
    rows = case_rows(CaseFile(key, records), window[0], window[1], sources)
    view.write_status(curs, key, rows.status, position)
    view.replace_day_rows(curs, key, rows)
    return key


class TablesProjection(Projection[CaseTables]):
    """eventsourcing projection writing the case tables (see the module's docstring).

    The runner constructs it with the view only; :func:`start` makes a subclass carrying the
    application's environment and the worklist sources (:func:`projection_class`)."""

    name = PROJECTION_NAME
    app_env: ClassVar[Mapping[str, str]] = {}
    sources: ClassVar[Sequence[WorkItemSource] | None] = None

    def __init__(self, view: CaseTables) -> None:
        super().__init__(view)
        self.reader = CaseReader(self.app_env)

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        record = cast(EventRecord, domain_event)
        with self.view.datastore.transaction(commit=True) as curs:
            apply_record(self.view, curs, self.reader, record, tracking.notification_id,
                         self.sources)
            self.view._insert_tracking(curs, tracking)  # raises on a position already tracked
            self.before_commit(record, tracking)

    def before_commit(self, record: EventRecord, tracking: Tracking) -> None:
        """Called last inside the transaction (tests raise here to crash before the commit)."""

    def close(self) -> None:
        self.reader.close()


def projection_class(app_env: Mapping[str, str],
                     sources: Sequence[WorkItemSource] | None = None,
                     base: type[TablesProjection] = TablesProjection) -> type[TablesProjection]:
    """A :class:`TablesProjection` subclass for one store (the runner takes a class)."""
    return type(base.__name__, (base,), {"name": PROJECTION_NAME, "app_env": dict(app_env),
                                         "sources": sources})


class TablesRunner(ProjectionRunner[SubscribedApp, CaseTables]):
    """The projection runner, its subscription entered by :func:`start`. :meth:`close` (or
    leaving a ``with`` block) stops it, closes every connection it opened, and re-raises the
    error the processing thread stopped on, if any."""

    _entered = False
    _closed = False

    def __enter__(self) -> Self:
        if not self._entered:
            super().__enter__()
            self._entered = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc_val: BaseException | None,
                 exc_tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            super().__exit__(None, None, None)
        finally:
            cast(TablesProjection, self.projection).close()
            self.view.datastore.close()

    @property
    def position(self) -> int:
        """The tracked position: the last event applied to the tables (0 before any); read
        from the view, so only until :meth:`close`."""
        return self.view.max_tracking_id(APP_NAME) or 0


# ---------------------------------------------------------------- the public API


def runner_env(app_env: Mapping[str, str], schema: str) -> dict[str, str]:
    """The runner's environment: the application's, and the view's schema under the
    projection's prefix (``UNGEFORLOEB_TABLES_POSTGRES_SCHEMA``)."""
    if not schema or not schema.strip():
        raise ValueError("a schema for the tables is required")
    if Environment(APP_NAME, {**os.environ, **app_env}).get("PERSISTENCE_MODULE") != \
            "eventsourcing.postgres":  # as the application and the runner read it
        raise ValueError("ungeforloeb-postgres follows a PostgreSQL event store: set "
                         "PERSISTENCE_MODULE=eventsourcing.postgres and POSTGRES_*")
    env = dict(app_env)
    env[f"{PROJECTION_NAME.upper()}_POSTGRES_SCHEMA"] = schema
    return env


def open_tables(app_env: Mapping[str, str], schema: str) -> CaseTables:
    """The view (tables created if need be) on its own connection pool; close its
    ``datastore`` when done."""
    factory = InfrastructureFactory[CaseTables].construct(
        env=Environment(PROJECTION_NAME, runner_env(app_env, schema)))
    return factory.tracking_recorder(CaseTables)


def advance(app_env: Mapping[str, str], schema: str, first_day: date, days: int | None = None,
            sources: Sequence[WorkItemSource] | None = None) -> int:
    """Move the worklist window to ``first_day`` (and ``days``) and recompute every case's
    worklist items and verdicts at the tracked position, in one transaction that holds the
    window row (events wait for it). Returns the number of cases recomputed."""
    view = open_tables(app_env, schema)
    reader = CaseReader(app_env)
    try:
        with view.datastore.transaction(commit=True) as curs:
            window = view.window(curs, lock="update")
            n_days = days or (window[1] if window is not None else DEFAULT_DAYS)
            view.set_window(curs, first_day, n_days)
            position = view.position(curs, APP_NAME)
            keys = view.case_keys(curs)
            for key in keys:
                records = reader.records(view.streams_of(curs, key), position)
                rows = case_rows(CaseFile(key, records), first_day, n_days, sources)
                view.replace_day_rows(curs, key, rows)
        return len(keys)
    finally:
        reader.close()
        view.datastore.close()


def window(app_env: Mapping[str, str], schema: str) -> tuple[date, int] | None:
    """The current worklist window (first day, days), or None before the first start."""
    view = open_tables(app_env, schema)
    try:
        with view.datastore.transaction(commit=False) as curs:
            return view.window(curs)
    finally:
        view.datastore.close()


def prepare(app_env: Mapping[str, str], schema: str, *, first_day: date | None = None,
            days: int | None = None, sources: Sequence[WorkItemSource] | None = None) -> None:
    """Create the tables and set the window: ``first_day`` (default today, UTC) and ``days``
    (default :data:`DEFAULT_DAYS`) on a fresh schema; a window given that differs from the
    stored one is moved there (:func:`advance`)."""
    current = window(app_env, schema)
    if current is None:
        view = open_tables(app_env, schema)
        try:
            with view.datastore.transaction(commit=True) as curs:
                view.set_window(curs, first_day or today(), days or DEFAULT_DAYS)
        finally:
            view.datastore.close()
    elif (first_day is not None and first_day != current[0]) or \
            (days is not None and days != current[1]):
        advance(app_env, schema, first_day or current[0], days or current[1], sources)


def start(app_env: Mapping[str, str], schema: str, *, first_day: date | None = None,
          days: int | None = None, sources: Sequence[WorkItemSource] | None = None,
          projection: type[TablesProjection] = TablesProjection) -> TablesRunner:
    """Create the tables in ``schema`` (if need be) and start the projection runner.

    ``app_env`` is the application's store (``PERSISTENCE_MODULE=eventsourcing.postgres`` and
    ``POSTGRES_*``); the tables may live in another schema of the same server. The runner
    resumes from the tracked position. Close it with :meth:`TablesRunner.close`.
    """
    prepare(app_env, schema, first_day=first_day, days=days, sources=sources)
    runner = TablesRunner(application_class=SubscribedApp,
                          projection_class=projection_class(app_env, sources, projection),
                          view_class=CaseTables, env=runner_env(app_env, schema))
    return runner.__enter__()


def catch_up(app_env: Mapping[str, str], schema: str, *, timeout: float = 60.0,
             first_day: date | None = None, days: int | None = None,
             sources: Sequence[WorkItemSource] | None = None) -> int:
    """Apply every event stored so far, then stop. Returns the tracked position.

    Raises ``TimeoutError`` when not caught up within ``timeout`` seconds, and the runner's
    error when it stopped on one."""
    runner = start(app_env, schema, first_day=first_day, days=days, sources=sources)
    try:
        target = runner.app.recorder.max_notification_id()
        runner.wait(target, timeout=timeout)
        runner.run_forever(timeout=0)  # re-raises a processing error, if any
        return runner.position
    finally:
        runner.close()
