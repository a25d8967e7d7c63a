"""The identity record (CPR number, name) and the young person's data key, kept apart from the
events but written in the same transaction as the event that needs them.

Events name a young person only by a random UUID. Beside the events, in the same database:

- ``person_key``: the person's data key, wrapped (:mod:`ungeforloeb.application.keys`);
- ``person_identity``: the CPR number's keyed hash (HMAC, for lookup) and the CPR number and
  name **sealed** (AES-GCM) with the person's data key. No CPR number or name is ever a
  plain column.

Both rows are written by the event recorder (:mod:`ungeforloeb.application.recorders`) in the
transaction that stores ``FirstContactRegistered``: a crash at any moment leaves either the
event and both rows, or none of them. Erasing deletes both rows (crypto-shredding): what was
sealed with the data key can no longer be read anywhere.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError

from ungeforloeb.application.keys import Keys, KeyUnavailableError, open_sealed, seal
from ungeforloeb.domain.errors import InvalidCommandError

CPR_PATTERN = re.compile(r"^[0-9]{6}-?[0-9]{4}$")
CACHE_SECONDS = 30.0
"""How long a process keeps a data key it read (an erasure elsewhere is honoured after it)."""
IDENTITY_PURPOSE = "identity"


class IdentityRecord:
    """CPR number and name of one young person."""

    __slots__ = ("cpr", "name", "young_person_id")

    def __init__(self, young_person_id: UUID, cpr: str, name: str) -> None:
        self.young_person_id = young_person_id
        self.cpr = cpr
        self.name = name

    def __repr__(self) -> str:  # never print the CPR number or the name in logs or tracebacks
        return f"IdentityRecord(young_person_id={self.young_person_id}, cpr='******-****')"


def check_cpr(command: str, cpr: object) -> str:
    """Return the CPR number normalised to ten digits, or raise naming the field."""
    if not isinstance(cpr, str) or not CPR_PATTERN.fullmatch(cpr):
        raise InvalidCommandError(command, "cpr", "ten digits (DDMMYY-SSSS)", "<redacted>")
    return cpr.replace("-", "")


class PersonalRows:
    """What is written beside a person's first event: the wrapped data key and, when given,
    the identity (CPR lookup hash and the sealed CPR number and name)."""

    __slots__ = ("cpr_lookup", "sealed_identity", "wrapped_key", "young_person_id")

    def __init__(self, young_person_id: UUID, wrapped_key: bytes,
                 cpr_lookup: str | None = None, sealed_identity: bytes | None = None) -> None:
        self.young_person_id = young_person_id
        self.wrapped_key = wrapped_key
        self.cpr_lookup = cpr_lookup
        self.sealed_identity = sealed_identity

    def __repr__(self) -> str:
        return f"PersonalRows(young_person_id={self.young_person_id}, <sealed>)"


def seal_identity(data_key: bytes, record: IdentityRecord) -> bytes:
    """The CPR number and name sealed with the person's data key."""
    plain = orjson.dumps({"cpr": record.cpr, "name": record.name})
    return seal(data_key, record.young_person_id, IDENTITY_PURPOSE, plain)


def open_identity(data_key: bytes, young_person_id: UUID, sealed: bytes) -> IdentityRecord:
    """The identity record from its sealed form."""
    plain = orjson.loads(open_sealed(data_key, young_person_id, IDENTITY_PURPOSE, sealed))
    return IdentityRecord(young_person_id, plain["cpr"], plain["name"])


class IdentityStore(Protocol):
    """Where identity records and data keys live: in memory, or beside the events (SQL)."""

    keys: Keys

    def write(self, rows: PersonalRows) -> None:
        """Write the rows outside an event transaction (stores that have none)."""

    def get(self, young_person_id: UUID) -> IdentityRecord | None: ...

    def find_by_cpr(self, cpr: str) -> UUID | None: ...

    def data_key(self, young_person_id: UUID) -> bytes | None:
        """The person's (unwrapped) data key, or None when there is none (erased)."""

    def kept(self, young_person_id: UUID) -> dict[str, Any] | None:
        """What erasure kept of the person's personal fields; None if not erased."""

    def remember(self, young_person_id: UUID, data_key: bytes) -> None:
        """Hold a new data key until it is written with the person's first event."""

    def forget(self, young_person_id: UUID) -> None:
        """Drop a held or cached data key (after erasure or a failed write)."""

    def settle(self, young_person_id: UUID) -> None:
        """The held data key was written with the person's first event: keep it as if read
        back (the next command on the person needs no read of the key table)."""

    def erase(self, young_person_id: UUID) -> bool:
        """Delete the identity record (CPR number, name); True if there was one."""

    def shred(self, young_person_id: UUID, kept: dict[str, Any]) -> None:
        """Delete the identity record and the data key, keeping ``kept`` (erasure; the
        application does this in the transaction of the erasure event where it can)."""


class MemoryIdentityStore:
    """Identity records and data keys in memory (tests, the popo persistence module)."""

    transactional = False

    def __init__(self, keys: Keys | None = None) -> None:
        from ungeforloeb.application.keys import new_data_key

        self.keys = keys or Keys(new_data_key())
        self._rows: dict[UUID, PersonalRows] = {}
        self._by_lookup: dict[str, UUID] = {}
        self._held: dict[UUID, bytes] = {}
        self._kept: dict[UUID, dict[str, Any]] = {}

    def write(self, rows: PersonalRows) -> None:
        if rows.cpr_lookup is not None and rows.cpr_lookup in self._by_lookup:
            raise CprAlreadyRegisteredError()
        if rows.young_person_id in self._rows or rows.young_person_id in self._kept:
            raise IntegrityError(f"young person {rows.young_person_id} already has a data key")
        self._held.pop(rows.young_person_id, None)
        self._rows[rows.young_person_id] = rows
        if rows.cpr_lookup is not None:
            self._by_lookup[rows.cpr_lookup] = rows.young_person_id

    def data_key(self, young_person_id: UUID) -> bytes | None:
        held = self._held.get(young_person_id)
        if held is not None:
            return held
        rows = self._rows.get(young_person_id)
        if rows is None or young_person_id in self._kept:
            return None
        return self.keys.wrapper.unwrap(young_person_id, rows.wrapped_key)

    def kept(self, young_person_id: UUID) -> dict[str, Any] | None:
        return self._kept.get(young_person_id)

    def remember(self, young_person_id: UUID, data_key: bytes) -> None:
        self._held[young_person_id] = data_key

    def forget(self, young_person_id: UUID) -> None:
        self._held.pop(young_person_id, None)

    def settle(self, young_person_id: UUID) -> None:
        self._held.pop(young_person_id, None)

    def discard(self, young_person_id: UUID) -> None:
        """Remove everything written for a person whose first event was not stored."""
        self.erase(young_person_id)
        self._rows.pop(young_person_id, None)
        self._held.pop(young_person_id, None)

    def shred(self, young_person_id: UUID, kept: dict[str, Any]) -> None:
        """Delete the identity record and the data key, keeping ``kept`` (erasure)."""
        self.erase(young_person_id)
        self._held.pop(young_person_id, None)
        self._kept[young_person_id] = kept

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        rows = self._rows.get(young_person_id)
        if rows is None or rows.sealed_identity is None:
            return None
        key = self.data_key(young_person_id)
        return None if key is None else open_identity(key, young_person_id,
                                                      rows.sealed_identity)

    def find_by_cpr(self, cpr: str) -> UUID | None:
        return self._by_lookup.get(self.keys.cpr_lookup(cpr))

    def erase(self, young_person_id: UUID) -> bool:
        rows = self._rows.get(young_person_id)
        if rows is None or rows.cpr_lookup is None:
            return False
        self._by_lookup.pop(rows.cpr_lookup, None)
        rows.cpr_lookup = rows.sealed_identity = None
        return True


class CprAlreadyRegisteredError(InvalidCommandError):
    """Raised when a CPR number is registered a second time (also when two registrations race:
    the database's uniqueness error is turned into this, without its text)."""

    def __init__(self) -> None:
        super().__init__("register_first_contact", "cpr", "a CPR number not already registered",
                         "<redacted>")


Cursor = Any
Transaction = Callable[[bool], AbstractContextManager[Cursor]]


class SQLIdentityStore:
    """Identity records and data keys in tables beside the events, through the event store's
    own connections (SQLite or PostgreSQL). Rows are written only by the recorder, in the
    transaction of the person's first event (:class:`PersonalRows`)."""

    transactional = True

    def __init__(self, keys: Keys, transaction: Transaction, key_table: str,
                 identity_table: str, placeholder: str) -> None:
        self.keys = keys
        self._transaction = transaction
        self._key_table = key_table
        self._identity_table = identity_table
        self._p = placeholder
        self._cache: dict[UUID, tuple[float, tuple[bytes | None, dict[str, Any] | None]]] = {}
        """Keys read from the table, with when: kept :data:`CACHE_SECONDS` at most, so that an
        erasure by another process is honoured here within that time."""
        self._held: dict[UUID, bytes] = {}
        """New keys not yet written (held until their first event's transaction ends)."""
        self._lock = threading.Lock()

    def write(self, rows: PersonalRows) -> None:
        raise RuntimeError("SQLIdentityStore rows are written with the first event")

    def _rows(self, sql: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        with self._transaction(False) as c:
            c.execute(sql, params)
            rows = c.fetchall()
        for row in rows:
            yield tuple(row.values()) if isinstance(row, dict) else tuple(row)

    def _id(self, young_person_id: UUID) -> Any:
        return str(young_person_id) if self._p == "?" else young_person_id

    def _key_row(self, young_person_id: UUID) -> tuple[bytes | None, dict[str, Any] | None]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(young_person_id)
            held = self._held.get(young_person_id)
        if held is not None:
            return held, None
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        found = list(self._rows(f"SELECT wrapped, kept FROM {self._key_table} "
                                f"WHERE young_person_id = {self._p}",
                                (self._id(young_person_id),)))
        if not found:
            return None, None
        wrapped, kept = found[0]
        row = (None if wrapped is None else self.keys.wrapper.unwrap(young_person_id,
                                                                     bytes(wrapped)),
               None if kept is None else orjson.loads(kept))
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[young_person_id] = (now, row)
        return row

    def data_key(self, young_person_id: UUID) -> bytes | None:
        return self._key_row(young_person_id)[0]

    def kept(self, young_person_id: UUID) -> dict[str, Any] | None:
        return self._key_row(young_person_id)[1]

    def remember(self, young_person_id: UUID, data_key: bytes) -> None:
        with self._lock:
            self._held[young_person_id] = data_key

    def close(self) -> None:
        """Drop the cached data keys (the connections are the event store's, closed with it)."""
        with self._lock:
            self._cache.clear()
            self._held.clear()

    def forget(self, young_person_id: UUID) -> None:
        """Drop a data key from this process's cache (after erasure or a failed write)."""
        with self._lock:
            self._cache.pop(young_person_id, None)
            self._held.pop(young_person_id, None)

    def settle(self, young_person_id: UUID) -> None:
        """Keep a held key that was just written as read from the table now (a new person
        has nothing kept by erasure), so the commands that follow do not read it back."""
        now = time.monotonic()
        with self._lock:
            held = self._held.pop(young_person_id, None)
            if held is None:
                return
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[young_person_id] = (now, (held, None))

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        found = list(self._rows(f"SELECT sealed FROM {self._identity_table} "
                                f"WHERE young_person_id = {self._p}",
                                (self._id(young_person_id),)))
        if not found:
            return None
        key = self.data_key(young_person_id)
        if key is None:
            return None
        try:
            return open_identity(key, young_person_id, bytes(found[0][0]))
        except KeyUnavailableError:
            return None

    def find_by_cpr(self, cpr: str) -> UUID | None:
        found = list(self._rows(f"SELECT young_person_id FROM {self._identity_table} "
                                f"WHERE cpr_lookup = {self._p}", (self.keys.cpr_lookup(cpr),)))
        if not found:
            return None
        value = found[0][0]
        return value if isinstance(value, UUID) else UUID(str(value))

    def erase(self, young_person_id: UUID) -> bool:
        with self._transaction(True) as c:
            return erase_identity(c, self._identity_table, self._p, self._id(young_person_id))

    def shred(self, young_person_id: UUID, kept: dict[str, Any]) -> None:
        with self._transaction(True) as c:
            erase_identity(c, self._identity_table, self._p, self._id(young_person_id))
            shred_key(c, self._key_table, self._p, self._id(young_person_id), kept)
        self.forget(young_person_id)


def erase_identity(c: Cursor, identity_table: str, p: str, person: Any) -> bool:
    """Delete a person's identity row with cursor ``c``; True if there was one."""
    c.execute(f"SELECT COUNT(*) AS n FROM {identity_table} WHERE young_person_id = {p}",
              (person,))
    row = c.fetchone()
    count = int(row["n"] if isinstance(row, dict) else row[0])
    c.execute(f"DELETE FROM {identity_table} WHERE young_person_id = {p}", (person,))
    return count > 0


def shred_key(c: Cursor, key_table: str, p: str, person: Any, kept: dict[str, Any]) -> None:
    """Delete a person's data key with cursor ``c``, keeping ``kept`` in its place."""
    c.execute(f"INSERT INTO {key_table} (young_person_id, wrapped, kept) VALUES ({p}, NULL, {p}) "
              f"ON CONFLICT (young_person_id) DO UPDATE SET wrapped = NULL, kept = excluded.kept",
              (person, orjson.dumps(kept).decode()))
