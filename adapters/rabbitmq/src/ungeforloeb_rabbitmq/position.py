"""Where the outbox relay has come to in the event log, kept in SQLite.

Two tables, in the store's own SQLite file by default (or any SQLite file beside it):

``rabbitmq_relay_position`` (``relay``, ``position``)
    The notification id (``EventRecord.seq``) of the last event the relay has dealt with.
``rabbitmq_relay_parked`` (``relay``, ``seq``, ``message_id``, ``error``, ``parked_at``)
    Notifications that could not be built (no identity record, a contact missing from the
    directory): never dropped, tried again at the start of every run until they go out.

The position moves one event at a time, in the same transaction that parks or unparks it, after
the broker has confirmed the message: a stop at any moment leaves at most the one message in
flight to be published again on restart (with the same ``message_id``).

One relay per (state file, relay name) at a time: :meth:`RelayState.lock` takes an exclusive
``flock`` on ``<state file>.<relay>.lock`` and refuses when another process holds it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple


class RelayLockedError(RuntimeError):
    """Raised when another relay with the same name already runs on the same state file."""


class Parked(NamedTuple):
    """A notification that could not be sent yet."""

    seq: int
    message_id: str
    error: str


class RelayState:
    """The relay's position and parked notifications in a SQLite file."""

    def __init__(self, path: str | Path, relay: str) -> None:
        self.path = str(path)
        self.relay = relay
        self._lock_fd: int | None = None
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout = 30000")
        self._conn.execute("CREATE TABLE IF NOT EXISTS rabbitmq_relay_position ("
                           " relay TEXT PRIMARY KEY, position INTEGER NOT NULL)")
        self._conn.execute("CREATE TABLE IF NOT EXISTS rabbitmq_relay_parked ("
                           " relay TEXT NOT NULL, seq INTEGER NOT NULL,"
                           " message_id TEXT NOT NULL, error TEXT NOT NULL,"
                           " parked_at TEXT NOT NULL, PRIMARY KEY (relay, seq))")

    def close(self) -> None:
        """Close the file and let go of the lock."""
        self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def lock(self) -> None:
        """Take the exclusive lock of this relay; :class:`RelayLockedError` when held."""
        if self._lock_fd is not None:
            return
        fd = os.open(f"{self.path}.{self.relay}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RelayLockedError(f"relay '{self.relay}' already runs on {self.path}") from None
        self._lock_fd = fd

    @property
    def position(self) -> int:
        """The last notification id dealt with (0 before the first)."""
        row = self._conn.execute("SELECT position FROM rabbitmq_relay_position WHERE relay=?",
                                 (self.relay,)).fetchone()
        return int(row[0]) if row else 0

    def parked(self) -> list[Parked]:
        """The parked notifications, oldest first."""
        rows = self._conn.execute("SELECT seq, message_id, error FROM rabbitmq_relay_parked "
                                  "WHERE relay=? ORDER BY seq", (self.relay,)).fetchall()
        return [Parked(int(s), str(m), str(e)) for s, m, e in rows]

    def _set(self, seq: int) -> None:
        self._conn.execute(
            "INSERT INTO rabbitmq_relay_position (relay, position) VALUES (?, ?) "
            "ON CONFLICT (relay) DO UPDATE SET position = MAX(position, excluded.position)",
            (self.relay, seq))

    def sent(self, seq: int) -> None:
        """Record that the notification at ``seq`` went out (confirmed)."""
        with self._transaction():
            self._conn.execute("DELETE FROM rabbitmq_relay_parked WHERE relay=? AND seq=?",
                               (self.relay, seq))
            self._set(seq)

    def park(self, seq: int, message_id: str, error: str) -> None:
        """Record that the notification at ``seq`` could not be built, and move past it."""
        with self._transaction():
            self._conn.execute(
                "INSERT INTO rabbitmq_relay_parked (relay, seq, message_id, error, parked_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (relay, seq) DO UPDATE SET "
                "error = excluded.error",
                (self.relay, seq, message_id, error, datetime.now(UTC).isoformat()))
            self._set(seq)

    def skip(self, seq: int) -> None:
        """Move past ``seq`` (an event the relay does not publish)."""
        with self._transaction():
            self._set(seq)

    def _transaction(self) -> _Tx:
        return _Tx(self._conn)


class _Tx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
