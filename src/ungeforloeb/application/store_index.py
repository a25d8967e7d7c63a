"""The person → streams index, kept in the store in the transaction of the events.

Every stream belongs to one young person, as :func:`ungeforloeb.casefile.records.group_by_case`
groups them: a ``YoungPerson`` stream to itself, an ``EducationOrder`` or ``RetentionCase``
stream to the young person its first event names (``young_person_id``). The recorders below
are eventsourcing 9.5's SQLite, PostgreSQL and in-memory application recorders, extended so that
the insert of a stream's first event also inserts one row (person, stream) into a table beside
the events, in the same transaction: the rows commit with the events or not at all. One case is
then read by primary key (the index's rows of the person, joined to the events' primary key),
never by scanning the notification log.

Stores written before the index existed have events and no index. The index table says whether
it is complete (a row in ``<events>_indexes``, written when the table is made on an empty store
or when a backfill finishes); a case lookup on an incomplete index builds it first, once, in one
transaction that holds the writers' lock, with progress on standard error
(:func:`ensure_index`; ``ungeforloeb reindex`` does the same from the command line). Every
process that writes to the store must run a version of the library that keeps the index.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg.sql import SQL, Identifier

INDEX = "person_streams"
"""The index's name in the ``<events>_indexes`` table."""

OwnerOf = Callable[[StoredEvent], "UUID | None"]
"""The young person a stored event's stream belongs to, read from the stream's first event
(``None`` for later events, and for a first event that names no young person)."""

Row = tuple[int, str, int, str, bytes]
"""A stored event of a case: notification id, stream id (canonical UUID string), version,
topic, state."""

Progress = Callable[[int, int], None]
"""Called with (streams done, streams in all) while an index is built."""


def stream_type(topic: str) -> str:
    """The aggregate class of a stored event's topic (``YoungPerson`` of
    ``ungeforloeb.domain.young_person:YoungPerson.Visitated``)."""
    return topic.rsplit(":", 1)[-1].split(".", 1)[0]


def owner_function(decode: Callable[[bytes], dict[str, Any]]) -> OwnerOf:
    """:data:`OwnerOf` for states decoded by ``decode`` (the mapper's ``decode_state``)."""

    def owner_of(stored: StoredEvent) -> UUID | None:
        if stored.originator_version != 1:
            return None
        oid = stored.originator_id
        stream = oid if isinstance(oid, UUID) else UUID(str(oid))
        if stream_type(stored.topic) == "YoungPerson":
            return stream
        named = decode(stored.state).get("young_person_id")
        if not isinstance(named, str):
            return None
        try:
            return UUID(named)
        except ValueError:
            return None

    return owner_of


def prefix_bounds(prefix: str) -> tuple[str, str] | None:
    """The lowest and highest 32-hex-digit ids starting with ``prefix`` (dashes ignored), or
    ``None`` when ``prefix`` cannot start an id."""
    digits = prefix.strip().lower().replace("-", "")
    if len(digits) > 32 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return digits.ljust(32, "0"), digits.ljust(32, "f")


@runtime_checkable
class PersonStreams(Protocol):
    """What a recorder with the index answers (all by primary key)."""

    def case_rows(self, person: UUID) -> list[Row]:
        """The stored events of every stream of ``person``, in notification order."""

    def streams_of(self, person: UUID) -> list[UUID]:
        """The streams of ``person`` (their own included), oldest first."""

    def people_with_prefix(self, prefix: str, limit: int) -> list[UUID]:
        """Up to ``limit`` young people whose id starts with ``prefix`` (hex digits)."""

    def owner_pairs(self) -> list[tuple[UUID, UUID]]:
        """Every (young person, stream) pair of the index, by young person."""

    def index_complete(self) -> bool:
        """Whether every stream in the store is in the index."""

    def build_index(self, progress: Progress | None = None) -> int:
        """Index every stream already stored (idempotent); returns the streams indexed."""


class StoreIndexError(ProgrammingError):
    """Raised when the store cannot keep the person → streams index as configured."""


def _index_rows(owner_of: OwnerOf | None,
                stored_events: Sequence[StoredEvent]) -> list[tuple[UUID, UUID]]:
    if owner_of is None:
        raise StoreIndexError("the recorder has no owner function: construct it with owner_of=")
    rows = []
    for s in stored_events:
        if s.originator_version == 1:
            owner = owner_of(s)
            if owner is not None:
                oid = s.originator_id
                rows.append((owner, oid if isinstance(oid, UUID) else UUID(str(oid))))
    return rows


# ---------------------------------------------------------------------------------- SQLite


class IndexedSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite application recorder, keeping the index in
    ``<events>_person_streams`` (ids as 32 hex digits, as the events table keeps them)."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events",
                 owner_of: OwnerOf | None = None) -> None:
        self.index_table = f"{events_table_name}_{INDEX}"
        self.state_table = f"{events_table_name}_indexes"
        super().__init__(datastore, events_table_name)
        self.owner_of = owner_of
        self._complete = False
        self._insert_index = f"INSERT INTO {self.index_table} VALUES (?,?)"
        self._select_case = (
            f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {self.index_table} i JOIN {self.events_table_name} e "
            f"ON e.originator_id = i.stream_id WHERE i.person_id = ? ORDER BY e.rowid")

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {self.index_table} (person_id TEXT, "
                f"stream_id TEXT, PRIMARY KEY (person_id, stream_id)) WITHOUT ROWID",
                f"CREATE TABLE IF NOT EXISTS {self.state_table} (name TEXT PRIMARY KEY, "
                f"built_to INTEGER)"]

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        # A store made now, empty, has a complete index from its first event on.
        c.execute(f"INSERT OR IGNORE INTO {self.state_table} SELECT ?, 0 WHERE NOT EXISTS "
                  f"(SELECT 1 FROM {self.events_table_name})", (INDEX,))

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        rows = _index_rows(self.owner_of, stored_events)  # before the transaction opens
        return super().insert_events(stored_events, person_streams=rows, **kwargs)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        rows: list[tuple[UUID, UUID]] = kwargs.get("person_streams", [])
        if rows:
            c.executemany(self._insert_index, [(p.hex, s.hex) for p, s in rows])
        return ids

    def case_rows(self, person: UUID) -> list[Row]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_case, (person.hex,))
            found = c.fetchall()
        ids: dict[str, str] = {}
        out = []
        for seq, hex_id, version, topic, state in found:
            sid = ids.get(hex_id)
            if sid is None:
                ids[hex_id] = sid = str(UUID(hex_id))
            out.append((seq, sid, version, topic, state))
        return out

    def streams_of(self, person: UUID) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT i.stream_id FROM {self.index_table} i JOIN "
                      f"{self.events_table_name} e ON e.originator_id = i.stream_id AND "
                      f"e.originator_version = 1 WHERE i.person_id = ? ORDER BY e.rowid",
                      (person.hex,))
            return [UUID(r[0]) for r in c.fetchall()]

    def people_with_prefix(self, prefix: str, limit: int) -> list[UUID]:
        bounds = prefix_bounds(prefix)
        if bounds is None:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT person_id FROM {self.index_table} WHERE person_id BETWEEN ? "
                      f"AND ? AND stream_id = person_id ORDER BY person_id LIMIT ?",
                      (*bounds, limit))
            return [UUID(r[0]) for r in c.fetchall()]

    def owner_pairs(self) -> list[tuple[UUID, UUID]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT person_id, stream_id FROM {self.index_table} "
                      f"ORDER BY person_id, stream_id")
            return [(UUID(p), UUID(s)) for p, s in c.fetchall()]

    def index_complete(self) -> bool:
        if not self._complete:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT 1 FROM {self.state_table} WHERE name = ?", (INDEX,))
                self._complete = c.fetchone() is not None
        return self._complete

    def build_index(self, progress: Progress | None = None) -> int:
        with self.datastore.transaction(commit=True) as c:
            # A write first takes the store's write lock: no event is stored until this
            # transaction ends, so none can be missed between the read and the marker.
            c.execute(f"DELETE FROM {self.state_table} WHERE name = ?", (INDEX,))
            c.execute(f"SELECT originator_id, originator_version, topic, state FROM "
                      f"{self.events_table_name} WHERE originator_version = 1")
            firsts = c.fetchall()
            n = _build(self.owner_of, firsts, progress,
                       lambda rows: c.executemany(
                           f"INSERT OR IGNORE INTO {self.index_table} VALUES (?,?)",
                           [(p.hex, s.hex) for p, s in rows]))
            c.execute(f"INSERT INTO {self.state_table} SELECT ?, COALESCE(MAX(rowid), 0) "
                      f"FROM {self.events_table_name}", (INDEX,))
        self._complete = True
        return n


def _build(owner_of: OwnerOf | None, firsts: Sequence[Any], progress: Progress | None,
           insert: Callable[[list[tuple[UUID, UUID]]], None]) -> int:
    """Index the stored first events ``firsts`` (rows of id, version, topic, state)."""
    total = len(firsts)
    done = 0
    chunk = 5000
    for start in range(0, total, chunk):
        stored = [StoredEvent(originator_id=r[0] if isinstance(r[0], UUID) else UUID(r[0]),
                              originator_version=r[1], topic=r[2], state=bytes(r[3]))
                  for r in firsts[start:start + chunk]]
        rows = _index_rows(owner_of, stored)
        if rows:
            insert(rows)
        done += len(stored)
        if progress is not None:
            progress(done, total)
    return total


# ------------------------------------------------------------------------------ PostgreSQL


class IndexedPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, keeping the index in
    ``<events>_person_streams``, written after the events' insert under the same table lock in
    the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events",
                 owner_of: OwnerOf | None = None) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:
            raise StoreIndexError(
                "POSTGRES_ENABLE_DB_FUNCTIONS is not supported by ungeforloeb: the person → "
                "streams index is written by the recorder in the events' transaction; unset it")
        self.owner_of = owner_of
        self._complete = False
        self.index_table = f"{events_table_name}_{INDEX}"
        self.state_table = f"{events_table_name}_indexes"
        for name in (self.index_table, self.state_table):
            self.check_identifier_length(name)
        schema = Identifier(datastore.schema)
        events = Identifier(events_table_name)
        index = Identifier(self.index_table)
        state = Identifier(self.state_table)
        id_type = Identifier(datastore.originator_id_type)
        self.sql_create_statements += [
            SQL("CREATE TABLE IF NOT EXISTS {s}.{i} (person_id {t} NOT NULL, "
                "stream_id {t} NOT NULL, PRIMARY KEY (person_id, stream_id))").format(
                s=schema, i=index, t=id_type),
            SQL("CREATE TABLE IF NOT EXISTS {s}.{x} (name text PRIMARY KEY, "
                "built_to bigint)").format(s=schema, x=state),
            SQL("INSERT INTO {s}.{x} SELECT {n}, 0 WHERE NOT EXISTS (SELECT 1 FROM {s}.{e}) "
                "ON CONFLICT (name) DO NOTHING").format(s=schema, x=state, e=events,
                                                        n=INDEX),
        ]
        self._insert_index = SQL("INSERT INTO {s}.{i} (person_id, stream_id) "
                                 "VALUES (%s, %s)").format(s=schema, i=index)
        self._insert_index_again = self._insert_index + SQL(" ON CONFLICT DO NOTHING")
        self._select_case = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM {s}.{i} i JOIN {s}.{e} e ON e.originator_id = i.stream_id "
            "WHERE i.person_id = %s ORDER BY e.notification_id").format(s=schema, i=index,
                                                                        e=events)
        self._select_streams = SQL(
            "SELECT i.stream_id FROM {s}.{i} i JOIN {s}.{e} e ON e.originator_id = "
            "i.stream_id AND e.originator_version = 1 WHERE i.person_id = %s "
            "ORDER BY e.notification_id").format(s=schema, i=index, e=events)
        self._select_prefix = SQL(
            "SELECT person_id FROM {s}.{i} WHERE person_id BETWEEN %s AND %s "
            "AND stream_id = person_id ORDER BY person_id LIMIT %s").format(s=schema, i=index)
        self._select_complete = SQL("SELECT 1 FROM {s}.{x} WHERE name = %s").format(
            s=schema, x=state)
        self._select_pairs = SQL("SELECT person_id, stream_id FROM {s}.{i} "
                                 "ORDER BY person_id, stream_id").format(s=schema, i=index)
        self._select_firsts = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {s}.{e} "
            "WHERE originator_version = 1").format(s=schema, e=events)
        self._mark_complete = SQL(
            "INSERT INTO {s}.{x} SELECT %s, COALESCE(MAX(notification_id), 0) FROM {s}.{e} "
            "ON CONFLICT (name) DO UPDATE SET built_to = EXCLUDED.built_to").format(
            s=schema, x=state, e=events)

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        rows = _index_rows(self.owner_of, stored_events)  # before the transaction opens
        ids: Sequence[int] | None = super().insert_events(stored_events, person_streams=rows,
                                                          **kwargs)
        return ids

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)  # locks, then inserts
        rows: list[tuple[UUID, UUID]] = kwargs.get("person_streams", [])
        if rows:
            # Another cursor of the same connection and transaction: ``curs`` keeps the
            # events' RETURNING rows for eventsourcing to read.
            with curs.connection.cursor() as c:
                c.executemany(self._insert_index, rows)

    def _fetch(self, statement: Any, params: Sequence[Any]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()

    def case_rows(self, person: UUID) -> list[Row]:
        return [(r["notification_id"], str(r["originator_id"]), r["originator_version"],
                 r["topic"], bytes(r["state"])) for r in self._fetch(self._select_case, [person])]

    def streams_of(self, person: UUID) -> list[UUID]:
        return [_uuid(r["stream_id"]) for r in self._fetch(self._select_streams, [person])]

    def people_with_prefix(self, prefix: str, limit: int) -> list[UUID]:
        bounds = prefix_bounds(prefix)
        if bounds is None:
            return []
        lo, hi = (UUID(b) for b in bounds)
        return [_uuid(r["person_id"]) for r in self._fetch(self._select_prefix, [lo, hi, limit])]

    def owner_pairs(self) -> list[tuple[UUID, UUID]]:
        return [(_uuid(r["person_id"]), _uuid(r["stream_id"]))
                for r in self._fetch(self._select_pairs, [])]

    def index_complete(self) -> bool:
        if not self._complete:
            self._complete = bool(self._fetch(self._select_complete, [INDEX]))
        return self._complete

    def build_index(self, progress: Progress | None = None) -> int:
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)  # the writers' lock: nothing is stored meanwhile
            curs.execute(self._select_firsts)
            firsts = [(r["originator_id"], r["originator_version"], r["topic"], r["state"])
                      for r in curs.fetchall()]
            n = _build(self.owner_of, firsts, progress,
                       lambda rows: curs.executemany(self._insert_index_again, rows))
            curs.execute(self._mark_complete, [INDEX])
        self._complete = True
        return n


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


# ---------------------------------------------------------------------------------- memory


class IndexedPOPORecorder(POPOApplicationRecorder):
    """eventsourcing's in-memory application recorder with the index (a dict, updated under
    the recorder's lock with the events)."""

    def __init__(self, owner_of: OwnerOf | None = None) -> None:
        super().__init__()
        self.owner_of = owner_of
        self._people: dict[UUID, list[UUID]] = defaultdict(list)

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        rows = _index_rows(self.owner_of, stored_events)
        return super().insert_events(stored_events, person_streams=rows, **kwargs)

    def _update_table(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        for person, stream in kwargs.get("person_streams", []):
            self._people[person].append(stream)
        return ids

    def case_rows(self, person: UUID) -> list[Row]:
        with self._database_lock:
            out = []
            for stream in self._people.get(person, []):
                sid = str(stream)
                for position in self._stored_events_index[sid].values():
                    s = self._stored_events[position]
                    out.append((position + 1, sid, s.originator_version, s.topic, s.state))
        out.sort()
        return out

    def streams_of(self, person: UUID) -> list[UUID]:
        with self._database_lock:
            return list(self._people.get(person, []))

    def people_with_prefix(self, prefix: str, limit: int) -> list[UUID]:
        bounds = prefix_bounds(prefix)
        if bounds is None:
            return []
        with self._database_lock:
            found = sorted(p for p, streams in self._people.items()
                           if p in streams and bounds[0] <= p.hex <= bounds[1])
        return found[:limit]

    def owner_pairs(self) -> list[tuple[UUID, UUID]]:
        with self._database_lock:
            return sorted((p, s) for p, streams in self._people.items() for s in streams)

    def index_complete(self) -> bool:
        return True

    def build_index(self, progress: Progress | None = None) -> int:
        return sum(len(s) for s in self._people.values())


# ------------------------------------------------------------------------------ set-up


def stderr_progress(done: int, total: int) -> None:
    """Progress of a backfill on standard error."""
    end = "\n" if done >= total else "\r"
    sys.stderr.write(f"ungeforloeb: indexing the store's streams by young person: "
                     f"{done:,}/{total:,}{end}")
    sys.stderr.flush()


def ensure_index(recorder: PersonStreams, progress: Progress | None = stderr_progress) -> None:
    """Build the index once when the store was written before it existed (see the module)."""
    if not recorder.index_complete():
        if progress is not None:
            sys.stderr.write("ungeforloeb: this store has no person → streams index yet; "
                             "building it once (see docs/adapters.md)\n")
        recorder.build_index(progress)


def person_streams_unbuilt(recorder: object) -> PersonStreams:
    """An application's recorder as the index, as it is (maybe not yet built)."""
    if not isinstance(recorder, PersonStreams):
        raise StoreIndexError(f"{type(recorder).__qualname__} keeps no person → streams index")
    return recorder


def person_streams(recorder: object) -> PersonStreams:
    """An application's recorder as the index, built first if the store predates it."""
    index = person_streams_unbuilt(recorder)
    ensure_index(index)
    return index
