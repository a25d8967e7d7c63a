"""Migration of a store written by an older version, whose identity records were plain.

Older versions kept the CPR number and name in plain columns of a table ``identity_record``
(``young_person_id``, ``cpr``, ``name``) beside the events — in the SQLite file, or in the
PostgreSQL schema — and the birth date in ``FirstContactRegistered`` in the clear. Opening such
a store migrates it, **in one transaction** (a crash leaves the old form or the new, never a
mix):

- each plain identity of a young person with events is sealed with the person's data key (made
  and wrapped if the person has none) into ``person_identity``, found by the CPR number's keyed
  hash; an identity with no event behind it (an orphan an older version's crash left) is
  dropped;
- each ``FirstContactRegistered`` whose birth date is in the clear gets it sealed with the same
  key (what the event says is unchanged: it reads back the same);
- the plain columns are overwritten and ``identity_record`` is dropped.

On SQLite the transaction runs with ``secure_delete`` on (freed pages are zeroed), and the file
is then rebuilt (``VACUUM``) and the write-ahead log truncated, so that no CPR number, name or
birth date remains readable in the file. A marker table (``privacy_migration``) is written in
the migration's transaction and removed after the rebuild: a crash between the two is finished
by the next open. On PostgreSQL, ``DROP TABLE`` removes the plain table's files; the old row
versions of the rewritten events go with the next ``VACUUM`` of the events table (run
``VACUUM FULL`` on it to be sure at once).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from ungeforloeb.application.identity import IdentityRecord, seal_identity
from ungeforloeb.application.keys import Keys, new_data_key
from ungeforloeb.application.personal import PERSONAL_FIELDS, TOKEN, seal_fields
from ungeforloeb.application.recorders import PersonalPostgresRecorder, PersonalSQLiteRecorder
from ungeforloeb.domain.young_person import YoungPerson

PLAIN_TABLE = "identity_record"
"""The older versions' table of plain identity records."""
PENDING_TABLE = "privacy_migration"
"""SQLite: present while the file's rebuild after a migration is still to be done."""
FIRST_CONTACT = "FirstContactRegistered"
_LOCK = 0x756E6765  # PostgreSQL advisory lock of the migration ("unge")


@dataclass(frozen=True)
class Migrated:
    """What a migration did: identities sealed, orphan identities dropped, birth dates
    sealed."""

    identities: int
    orphans: int
    birth_dates: int


def _value(row: Any, i: int) -> Any:
    return tuple(row.values())[i] if isinstance(row, dict) else row[i]


class _OneKey:
    """The :class:`~ungeforloeb.application.personal.PersonalData` of one person's key."""

    def __init__(self, data_key: bytes) -> None:
        self._key = data_key

    def data_key(self, young_person_id: UUID) -> bytes | None:
        return self._key

    def kept(self, young_person_id: UUID) -> dict[str, Any] | None:
        return None


class _Migration:
    """The migration's statements on one cursor of one transaction."""

    def __init__(self, c: Any, app: Any, recorder: Any, events_table: str, p: str,
                 as_id: Any) -> None:
        self.c, self.p, self.as_id = c, p, as_id
        self.keys: Keys = app.personal_data.keys
        self.mapper = app.mapper
        self.events_table = events_table
        self.key_table: str = recorder.key_table
        self.identity_table: str = recorder.identity_table
        self._data_keys: dict[UUID, bytes | None] = {}

    def _one(self, sql: str, params: tuple[Any, ...]) -> Any:
        self.c.execute(sql, params)
        rows = self.c.fetchall()  # read to the end: no statement left in progress
        return rows[0] if rows else None

    def data_key(self, person: UUID) -> bytes | None:
        """The person's data key, made and wrapped when they have none; None if erased."""
        if person in self._data_keys:
            return self._data_keys[person]
        p = self.p
        row = self._one(f"SELECT wrapped, kept FROM {self.key_table} "
                        f"WHERE young_person_id = {p}", (self.as_id(person),))
        key: bytes | None
        if row is None:
            key = new_data_key()
            self.c.execute(f"INSERT INTO {self.key_table} (young_person_id, wrapped) "
                           f"VALUES ({p}, {p})",
                           (self.as_id(person), self.keys.wrapper.wrap(person, key)))
        elif _value(row, 0) is not None:
            key = self.keys.wrapper.unwrap(person, bytes(_value(row, 0)))
        else:
            key = None
        self._data_keys[person] = key
        return key

    def has_events(self, person: UUID) -> bool:
        stream = person.hex if self.p == "?" else person  # SQLite's events: the id's hex
        return self._one(f"SELECT 1 FROM {self.events_table} WHERE originator_id = {self.p} "
                         f"LIMIT 1", (stream,)) is not None

    def identities(self, plain_table: str) -> tuple[int, int]:
        p = self.p
        self.c.execute(f"SELECT young_person_id, cpr, name FROM {plain_table}")
        rows = [(_value(r, 0), str(_value(r, 1)), str(_value(r, 2)))
                for r in self.c.fetchall()]
        sealed = orphans = 0
        for raw, cpr, name in rows:
            person = raw if isinstance(raw, UUID) else UUID(str(raw))
            if not self.has_events(person):
                orphans += 1
                continue
            if self._one(f"SELECT 1 FROM {self.identity_table} WHERE young_person_id = {p}",
                         (self.as_id(person),)) is not None:
                continue
            key = self.data_key(person)
            if key is None:  # erased: nothing of the identity is to be kept
                continue
            number = cpr.replace("-", "")
            self.c.execute(
                f"INSERT INTO {self.identity_table} (young_person_id, cpr_lookup, sealed) "
                f"VALUES ({p}, {p}, {p})",
                (self.as_id(person), self.keys.cpr_lookup(number),
                 seal_identity(key, IdentityRecord(person, number, name))))
            sealed += 1
        self.c.execute(f"UPDATE {plain_table} SET cpr = CAST(young_person_id AS TEXT), "
                       f"name = ''")
        self.c.execute(f"DROP TABLE {plain_table}")
        return sealed, orphans

    def birth_dates(self, position: str) -> int:
        """Seal the personal fields of first events stored in the clear; their count."""
        p = self.p
        topic = get_topic(YoungPerson.FirstContactRegistered)
        self.c.execute(f"SELECT {position}, originator_id, state FROM {self.events_table} "
                       f"WHERE topic = {p}", (topic,))
        rows = [(_value(r, 0), _value(r, 1), bytes(_value(r, 2))) for r in self.c.fetchall()]
        cipher, compressor = self.mapper.cipher, self.mapper.compressor
        done = 0
        for pos, raw, data in rows:
            person = raw if isinstance(raw, UUID) else UUID(str(raw))
            plain = cipher.decrypt(data) if cipher else data
            plain = compressor.decompress(plain) if compressor else plain
            state = orjson.loads(plain)
            clear = [f for f in PERSONAL_FIELDS[FIRST_CONTACT]
                     if isinstance(state.get(f), str) and not state[f].startswith(TOKEN)]
            key = self.data_key(person) if clear else None
            if key is None:
                continue
            seal_fields(_OneKey(key), FIRST_CONTACT, person, state)
            out = orjson.dumps(state)
            out = compressor.compress(out) if compressor else out
            out = cipher.encrypt(out) if cipher else out
            self.c.execute(f"UPDATE {self.events_table} SET state = {p} WHERE {position} = {p}",
                           (out, pos))
            done += 1
        return done


def migrate_plain_identities(app: Any) -> Migrated | None:
    """Migrate ``app``'s store if an older version left plain identity records in it (see the
    module's text); None when there was nothing to migrate."""
    recorder = app.recorder
    if isinstance(recorder, PersonalSQLiteRecorder):
        return _sqlite(app, recorder)
    if isinstance(recorder, PersonalPostgresRecorder):
        return _postgres(app, recorder)
    return None


def _sqlite_tables(c: Any) -> set[str]:
    c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
              (PLAIN_TABLE, PENDING_TABLE))
    return {str(_value(r, 0)) for r in c.fetchall()}


def _sqlite(app: Any, recorder: PersonalSQLiteRecorder) -> Migrated | None:
    datastore = recorder.datastore
    with datastore.transaction(commit=False) as c:
        found = _sqlite_tables(c)
    if not found:
        return None
    done: Migrated | None = None
    if PLAIN_TABLE in found:
        with datastore.get_connection(commit=False) as conn:
            c = conn.cursor()
            c.execute("PRAGMA secure_delete = ON")
            c.execute("BEGIN IMMEDIATE")
            try:
                if PLAIN_TABLE in _sqlite_tables(c):  # not migrated meanwhile by another
                    run = _Migration(c, app, recorder, recorder.events_table_name, "?", str)
                    sealed, orphans = run.identities(PLAIN_TABLE)
                    done = Migrated(sealed, orphans, run.birth_dates("rowid"))
                    c.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (pending INTEGER)")
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            finally:
                c.execute("PRAGMA secure_delete = OFF")
    # rebuilt on a connection of its own (the pool's may hold statements open): no freed
    # page keeps what was plain, and the write-ahead log is emptied into the file
    own = sqlite3.connect(str(app.env.get("SQLITE_DBNAME")), isolation_level=None, timeout=30)
    try:
        own.execute("VACUUM")
        own.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
        own.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        own.close()
    return done


def _postgres(app: Any, recorder: PersonalPostgresRecorder) -> Migrated | None:
    schema = recorder.datastore.schema
    quoted = schema.replace('"', '""')
    plain = f'"{quoted}".{PLAIN_TABLE}'
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT to_regclass(%s) AS t", (plain,))
        row = c.fetchone()
    if row is None or _value(row, 0) is None:
        return None
    with recorder.datastore.transaction(commit=True) as c:
        c.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        c.execute("SELECT to_regclass(%s) AS t", (plain,))
        row = c.fetchone()
        if row is None or _value(row, 0) is None:  # migrated meanwhile by another process
            return None
        run = _Migration(c, app, recorder, f'"{quoted}".{recorder.events_table_name}', "%s",
                         lambda u: u)
        sealed, orphans = run.identities(plain)
        return Migrated(sealed, orphans, run.birth_dates("notification_id"))
