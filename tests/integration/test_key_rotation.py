"""Encryption at rest and key rotation, on SQLite and PostgreSQL: with CIPHER_KEY set every
stored payload is encrypted (eventsourcing's AES-GCM cipher); rotating the cipher key or the
personal-data master key leaves every event, identity and figure readable with the new key only.
"""

from __future__ import annotations

import base64
import os
from datetime import date

import pytest
from test_backends import TODAY, walk_a_case

from ungeforloeb.application import SettableClock
from ungeforloeb.application.keys import KEY_SETTING, encode_key
from ungeforloeb.application.rotation import rotate_cipher_key, rotate_master_key
from ungeforloeb.projections.compliance import evaluate_all


def _cipher_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _states(app) -> list[bytes]:
    table = app.recorder.events_table_name
    if app.recorder.placeholder == "%s":
        table = f'"{app.recorder.datastore.schema}".{table}'
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT state FROM {table}")
        return [bytes(r["state"] if isinstance(r, dict) else r[0]) for r in c.fetchall()]


def test_a_configured_cipher_key_encrypts_every_payload_and_rotation_keeps_it_all(backend):
    first = _cipher_key()
    env = {**backend.env, "CIPHER_KEY": first}
    app = backend.stores.app(env, clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(app)
    records = list(app.records())
    figures = evaluate_all(app.case_files().values(), date(2024, 12, 31)).digest()
    assert all(b"occurred_on" not in s and b"recorded_by" not in s for s in _states(app))

    second = _cipher_key()
    assert rotate_cipher_key(app, second) == len(records)
    rotated = backend.stores.app({**backend.env, "CIPHER_KEY": second})
    assert list(rotated.records()) == records
    assert rotated.identity(yp).name == "Test Testesen"
    assert evaluate_all(rotated.case_files().values(), date(2024, 12, 31)).digest() == figures
    stale = backend.stores.app({**backend.env, "CIPHER_KEY": first})
    with pytest.raises(ValueError, match="Invalid cipher tag"):  # the old key opens nothing
        list(stale.records())


def test_a_plain_store_can_be_encrypted_by_rotation(backend):
    app = backend.app(clock=SettableClock(TODAY))
    walk_a_case(app)
    records = list(app.records())
    key = _cipher_key()
    rotate_cipher_key(app, key)
    assert list(backend.stores.app({**backend.env, "CIPHER_KEY": key}).records()) == records
    assert all(b"occurred_on" not in s for s in _states(app))


def test_rotating_the_master_key_rewraps_keys_and_rehashes_cprs(backend):
    old = encode_key(os.urandom(32))
    app = backend.stores.app({**backend.env, KEY_SETTING: old}, clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(app)
    records = list(app.records())
    new_raw = os.urandom(32)
    assert rotate_master_key(app, new_raw) == 1
    rotated = backend.stores.app({**backend.env, KEY_SETTING: encode_key(new_raw)})
    assert list(rotated.records()) == records
    assert rotated.identity(yp).cpr == "0105041234"
    assert rotated.identities.find_by_cpr("0105041234") == yp
    stale = backend.stores.app({**backend.env, KEY_SETTING: old})
    assert stale.identities.find_by_cpr("0105041234") is None
    with pytest.raises(LookupError, match="does not open"):
        stale.identity(yp)
