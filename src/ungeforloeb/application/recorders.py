"""Event recorders that write a person's key and identity rows in the events' own transaction.

eventsourcing's recorders call ``_insert_events(cursor, stored_events, **kwargs)`` inside the
transaction that inserts the events, with the keyword arguments given to ``Application.save``.
These subclasses take ``personal_rows`` (a sequence of :class:`PersonalRows`) and
``erase_people`` (ids whose identity and key are deleted, with what is kept) there, so that the
first event and the rows it needs, or an erasure event and the deletion of what it erases,
commit together or not at all. The tables are created with the events table. They extend the
recorders that keep the person → streams index (:mod:`ungeforloeb.application.store_index`),
so both are kept in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteCursor

from ungeforloeb.application.identity import PersonalRows, erase_identity, shred_key
from ungeforloeb.application.store_index import (
    IndexedPOPORecorder,
    IndexedPostgresRecorder,
    IndexedSQLiteRecorder,
    OwnerOf,
    StoreIndexError,
)

KEY_TABLE = "person_key"
IDENTITY_TABLE = "person_identity"


def _sqlite_statements() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} ("
        " young_person_id TEXT PRIMARY KEY, wrapped BLOB, kept TEXT)",
        f"CREATE TABLE IF NOT EXISTS {IDENTITY_TABLE} ("
        " young_person_id TEXT PRIMARY KEY, cpr_lookup TEXT NOT NULL UNIQUE,"
        " sealed BLOB NOT NULL)",
    ]


Shred = tuple[UUID, dict[str, Any]]
"""A person whose key is deleted, and what is kept of their personal fields."""


def _write(c: Any, rows: Sequence[PersonalRows], erase: Sequence[Shred], key_table: str,
           identity_table: str, p: str, as_id: Any) -> None:
    for r in rows:
        c.execute(f"INSERT INTO {key_table} (young_person_id, wrapped) VALUES ({p}, {p})",
                  (as_id(r.young_person_id), r.wrapped_key))
        if r.cpr_lookup is not None and r.sealed_identity is not None:
            c.execute(f"INSERT INTO {identity_table} (young_person_id, cpr_lookup, sealed) "
                      f"VALUES ({p}, {p}, {p})",
                      (as_id(r.young_person_id), r.cpr_lookup, r.sealed_identity))
    for person, kept in erase:
        erase_identity(c, identity_table, p, as_id(person))
        shred_key(c, key_table, p, as_id(person), kept)


class PersonalSQLiteRecorder(IndexedSQLiteRecorder):
    """SQLite application recorder with the ``person_key`` and ``person_identity`` tables."""

    key_table = KEY_TABLE
    identity_table = IDENTITY_TABLE
    placeholder = "?"

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *_sqlite_statements()]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], *,
                       personal_rows: Sequence[PersonalRows] = (),
                       erase_people: Sequence[Shred] = (), **kwargs: Any) -> Sequence[int] | None:
        _write(c, personal_rows, erase_people, KEY_TABLE, IDENTITY_TABLE, "?", str)
        return super()._insert_events(c, stored_events, **kwargs)


class PersonalPostgresRecorder(IndexedPostgresRecorder):
    """PostgreSQL application recorder with the person tables in the events' schema."""

    placeholder = "%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self.datastore.schema.replace('"', '""')
        prefix = self.events_table_name.removesuffix("_events")
        self.key_table = f'"{schema}"."{prefix}_{KEY_TABLE}"'
        self.identity_table = f'"{schema}"."{prefix}_{IDENTITY_TABLE}"'

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f"CREATE TABLE IF NOT EXISTS {self.key_table} ("
                         " young_person_id uuid PRIMARY KEY, wrapped bytea, kept text)")
            curs.execute(f"CREATE TABLE IF NOT EXISTS {self.identity_table} ("
                         " young_person_id uuid PRIMARY KEY, cpr_lookup text NOT NULL UNIQUE,"
                         " sealed bytea NOT NULL)")

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], *,
                       personal_rows: Sequence[PersonalRows] = (),
                       erase_people: Sequence[Shred] = (), **kwargs: Any) -> None:
        if personal_rows or erase_people:
            # eventsourcing inserts in pipeline mode: a nested pipeline syncs on exit, so a
            # uniqueness violation of these rows (a CPR registered twice, a race) is raised here
            # as the IntegrityError it is, not later as "pipeline aborted" by the next statement
            with curs.connection.pipeline():
                _write(curs, personal_rows, erase_people, self.key_table, self.identity_table,
                       "%s", lambda u: u)
        super()._insert_events(curs, stored_events, **kwargs)

    def stored_master_key(self, make: bytes) -> bytes:
        """The master key kept in the schema when none is configured (development only: a key
        in the database it protects protects nothing at rest; erasure still shreds). ``make``
        is stored if there is none yet; returns the stored key."""
        table = self.key_table.removesuffix(f'{KEY_TABLE}"') + 'master_key"'
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f"CREATE TABLE IF NOT EXISTS {table} ("
                         " one int PRIMARY KEY CHECK (one = 1), key bytea NOT NULL)")
            curs.execute(f"INSERT INTO {table} (one, key) VALUES (1, %s) "
                         "ON CONFLICT (one) DO NOTHING", (make,))
            curs.execute(f"SELECT key FROM {table}")
            row = curs.fetchone()
        assert row is not None
        return bytes(row["key"])


def personal_recorder(factory: Any, owner_of: OwnerOf) -> Any:
    """The application recorder for eventsourcing's ``factory``: SQLite and PostgreSQL with the
    person tables and the index, in memory with the index only (the identity store is then in
    memory too); tables made when the factory makes tables."""
    from eventsourcing.popo import POPOFactory
    from eventsourcing.postgres import PostgresFactory
    from eventsourcing.sqlite import SQLiteFactory

    recorder: Any
    if isinstance(factory, SQLiteFactory):
        recorder = PersonalSQLiteRecorder(factory.datastore, owner_of=owner_of)
    elif isinstance(factory, PostgresFactory):
        prefix = factory.env.name.lower() or "stored"
        recorder = PersonalPostgresRecorder(factory.datastore,
                                            events_table_name=f"{prefix}_events",
                                            owner_of=owner_of)
    elif isinstance(factory, POPOFactory):
        return IndexedPOPORecorder(owner_of=owner_of)
    else:
        raise StoreIndexError(
            f"the persistence module of {type(factory).__module__} is not supported: "
            f"ungeforloeb keeps personal data and a person → streams index beside the events "
            f"on eventsourcing.sqlite and eventsourcing.postgres (eventsourcing.popo in memory)")
    if factory.env_create_table():
        recorder.create_table()
    return recorder
