"""The identity record: CPR number and name, kept apart from the event log.

Events name a young person only by a random UUID. The identity record maps that id to the
person's CPR number and name, so that messages can address the person at the moment they are
sent, while the event log can be exported and audited without personal identifiers. Erasing a
record (:meth:`IdentityStore.erase`) leaves the event log intact and anonymous.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

import psycopg
from psycopg import sql

from ungeforloeb.domain.errors import InvalidCommandError

CPR_PATTERN = re.compile(r"^[0-9]{6}-?[0-9]{4}$")


class IdentityRecord:
    """CPR number and name of one young person."""

    __slots__ = ("cpr", "name", "young_person_id")

    def __init__(self, young_person_id: UUID, cpr: str, name: str) -> None:
        self.young_person_id = young_person_id
        self.cpr = cpr
        self.name = name

    def __repr__(self) -> str:  # never print the CPR number in logs or tracebacks
        return f"IdentityRecord(young_person_id={self.young_person_id}, cpr='******-****')"


def check_cpr(command: str, cpr: object) -> str:
    """Return the CPR number normalised to ten digits, or raise naming the field."""
    if not isinstance(cpr, str) or not CPR_PATTERN.fullmatch(cpr):
        raise InvalidCommandError(command, "cpr", "ten digits (DDMMYY-SSSS)", "<redacted>")
    return cpr.replace("-", "")


class IdentityStore(Protocol):
    """Where identity records live. Implementations: SQLite, in-memory, PostgreSQL."""

    def put(self, record: IdentityRecord) -> None: ...

    def get(self, young_person_id: UUID) -> IdentityRecord | None: ...

    def find_by_cpr(self, cpr: str) -> UUID | None: ...

    def erase(self, young_person_id: UUID) -> bool: ...


class MemoryIdentityStore:
    """Identity records in memory (tests, the popo persistence module)."""

    def __init__(self) -> None:
        self._records: dict[UUID, IdentityRecord] = {}

    def put(self, record: IdentityRecord) -> None:
        self._records[record.young_person_id] = record

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        return self._records.get(young_person_id)

    def find_by_cpr(self, cpr: str) -> UUID | None:
        for r in self._records.values():
            if r.cpr == cpr:
                return r.young_person_id
        return None

    def erase(self, young_person_id: UUID) -> bool:
        return self._records.pop(young_person_id, None) is not None


class SQLiteIdentityStore:
    """Identity records in a table ``identity_record`` of the same SQLite file as the events."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        with self._lock, self._conn:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS identity_record ("
                " young_person_id TEXT PRIMARY KEY, cpr TEXT NOT NULL UNIQUE, name TEXT NOT NULL)"
            )

    def put(self, record: IdentityRecord) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO identity_record (young_person_id, cpr, name) VALUES (?, ?, ?)",
                (str(record.young_person_id), record.cpr, record.name),
            )

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT cpr, name FROM identity_record WHERE young_person_id = ?",
                (str(young_person_id),),
            ).fetchone()
        return IdentityRecord(young_person_id, row[0], row[1]) if row else None

    def find_by_cpr(self, cpr: str) -> UUID | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT young_person_id FROM identity_record WHERE cpr = ?", (cpr,)
            ).fetchone()
        return UUID(row[0]) if row else None

    def erase(self, young_person_id: UUID) -> bool:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "DELETE FROM identity_record WHERE young_person_id = ?", (str(young_person_id),)
            )
        return cur.rowcount > 0

    def close(self) -> None:
        self._conn.close()


class PostgresIdentityStore:
    """Identity records in a table ``identity_record`` of the PostgreSQL database (and schema)
    that holds the events; the table is created if missing.

    Configured like eventsourcing's PostgreSQL recorder: :meth:`from_env` reads
    ``POSTGRES_DBNAME``, ``POSTGRES_HOST``, ``POSTGRES_PORT``, ``POSTGRES_USER``,
    ``POSTGRES_PASSWORD`` and ``POSTGRES_SCHEMA`` (default ``public``). One connection, in
    autocommit mode, opened at construction and guarded by a lock; :meth:`close` closes it.
    """

    def __init__(self, *, dbname: str, host: str, port: str | int = 5432, user: str,
                 password: str = "", schema: str = "public", connect_timeout: int = 30) -> None:
        self._lock = threading.Lock()
        self._table = sql.Identifier(schema.strip() or "public", "identity_record")
        self._conn = psycopg.connect(dbname=dbname, host=host, port=port, user=user,
                                     password=password, autocommit=True,
                                     connect_timeout=connect_timeout)
        with self._lock:
            self._conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " young_person_id uuid PRIMARY KEY, cpr text NOT NULL UNIQUE, name text NOT NULL)"
            ).format(self._table))

    @classmethod
    def from_env(cls, get: Callable[[str], Any]) -> PostgresIdentityStore:
        """Build from settings looked up by ``get`` (e.g. an application's ``env.get``)."""
        missing = [k for k in ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_USER")
                   if not get(k)]
        if missing:
            raise OSError(f"PostgresIdentityStore: environment lacks {', '.join(missing)}")
        timeout = get("POSTGRES_CONNECT_TIMEOUT")
        return cls(dbname=str(get("POSTGRES_DBNAME")), host=str(get("POSTGRES_HOST")),
                   port=str(get("POSTGRES_PORT") or "5432"), user=str(get("POSTGRES_USER")),
                   password=str(get("POSTGRES_PASSWORD") or ""),
                   schema=str(get("POSTGRES_SCHEMA") or "public"),
                   connect_timeout=int(timeout) if timeout else 30)

    def put(self, record: IdentityRecord) -> None:
        with self._lock:
            self._conn.execute(
                sql.SQL("INSERT INTO {} (young_person_id, cpr, name) VALUES (%s, %s, %s)")
                .format(self._table),
                (record.young_person_id, record.cpr, record.name),
            )

    def get(self, young_person_id: UUID) -> IdentityRecord | None:
        with self._lock:
            row = self._conn.execute(
                sql.SQL("SELECT cpr, name FROM {} WHERE young_person_id = %s")
                .format(self._table),
                (young_person_id,),
            ).fetchone()
        return IdentityRecord(young_person_id, row[0], row[1]) if row else None

    def find_by_cpr(self, cpr: str) -> UUID | None:
        with self._lock:
            row = self._conn.execute(
                sql.SQL("SELECT young_person_id FROM {} WHERE cpr = %s").format(self._table),
                (cpr,),
            ).fetchone()
        if row is None:
            return None
        value = row[0]
        return value if isinstance(value, UUID) else UUID(str(value))

    def erase(self, young_person_id: UUID) -> bool:
        with self._lock:
            cur = self._conn.execute(
                sql.SQL("DELETE FROM {} WHERE young_person_id = %s").format(self._table),
                (young_person_id,),
            )
        return cur.rowcount > 0

    def close(self) -> None:
        self._conn.close()
