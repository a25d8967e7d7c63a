"""Key rotation: the store's cipher key (whole event payloads at rest) and the personal-data
master key (CPR lookup and the wrapping of per-person data keys).

Both rotations run in one transaction of the event store: they finish, or the store is left as
it was. Neither changes what any event says: the cipher rotation re-encrypts each stored
payload's bytes; the master-key rotation re-wraps each person's data key and recomputes each CPR
lookup hash, and touches no event. Afterwards the application must be opened with the new key.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.identity import open_identity
from ungeforloeb.application.keys import Keys
from ungeforloeb.application.recorders import PersonalPostgresRecorder, PersonalSQLiteRecorder

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
"""eventsourcing's AES-GCM cipher on the ``cryptography`` package (used when ``CIPHER_KEY`` is
set and ``CIPHER_TOPIC`` is not)."""


def cipher_for(key: str) -> Cipher:
    """eventsourcing's AES cipher for a ``CIPHER_KEY`` (base64, 16/24/32 bytes)."""
    return AESCipher(Environment(env={"CIPHER_KEY": key}))


def _events_table(app: Ungeforloeb) -> tuple[str, str, str]:
    """(table, position column, placeholder) of the store's events."""
    recorder = app.recorder
    if isinstance(recorder, PersonalSQLiteRecorder):
        return recorder.events_table_name, "rowid", "?"
    if isinstance(recorder, PersonalPostgresRecorder):
        schema = recorder.datastore.schema.replace('"', '""')
        return f'"{schema}".{recorder.events_table_name}', "notification_id", "%s"
    raise TypeError("key rotation needs a SQLite or PostgreSQL store")


def _value(row: Any, i: int, name: str) -> Any:
    return row[name] if isinstance(row, dict) else row[i]


def rotate_cipher_key(app: Ungeforloeb, new_key: str) -> int:
    """Re-encrypt every stored event payload of ``app`` (opened with the current key, or with
    none when the store is not yet encrypted) under ``new_key``; returns the count."""
    old = app.mapper.cipher
    new = cipher_for(new_key)
    table, position, p = _events_table(app)
    done = 0
    with app.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute(f"SELECT {position} AS pos, state FROM {table} ORDER BY {position}")
        rows = [(_value(r, 0, "pos"), bytes(_value(r, 1, "state"))) for r in c.fetchall()]
        for pos, state in rows:
            plain = old.decrypt(state) if old is not None else state
            c.execute(f"UPDATE {table} SET state = {p} WHERE {position} = {p}",
                      (new.encrypt(plain), pos))
            done += 1
    return done


def rotate_master_key(app: Ungeforloeb, new_master: bytes) -> int:
    """Re-wrap every person's data key and recompute every CPR lookup hash under
    ``new_master``; returns the number of data keys re-wrapped. Erased people have no key."""
    store = app.personal_data
    old, new = store.keys, Keys(new_master)
    recorder = app.recorder
    if not isinstance(recorder, PersonalSQLiteRecorder | PersonalPostgresRecorder):
        raise TypeError("key rotation needs a SQLite or PostgreSQL store")
    p = recorder.placeholder
    key_table, identity_table = recorder.key_table, recorder.identity_table
    done = 0
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"SELECT young_person_id AS id, wrapped FROM {key_table} "
                  f"WHERE wrapped IS NOT NULL")
        keyed = [(_value(r, 0, "id"), bytes(_value(r, 1, "wrapped"))) for r in c.fetchall()]
        c.execute(f"SELECT young_person_id AS id, sealed FROM {identity_table}")
        sealed = {str(_value(r, 0, "id")): bytes(_value(r, 1, "sealed"))
                  for r in c.fetchall()}
        for raw_id, wrapped in keyed:
            person = raw_id if isinstance(raw_id, UUID) else UUID(str(raw_id))
            data_key = old.wrapper.unwrap(person, wrapped)
            c.execute(f"UPDATE {key_table} SET wrapped = {p} WHERE young_person_id = {p}",
                      (new.wrapper.wrap(person, data_key), raw_id))
            if str(raw_id) in sealed:
                cpr = open_identity(data_key, person, sealed[str(raw_id)]).cpr
                c.execute(f"UPDATE {identity_table} SET cpr_lookup = {p} "
                          f"WHERE young_person_id = {p}", (new.cpr_lookup(cpr), raw_id))
            done += 1
    return done
