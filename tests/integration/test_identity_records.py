"""Identity records: sealed with the person's key, found by a keyed hash of the CPR number,
written in the transaction of the first event, and a CPR race refused without the driver's
text. Every test runs on SQLite and on PostgreSQL (``backend``) unless it is about a file."""

from __future__ import annotations

import base64
import os
import stat
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.identity import CprAlreadyRegisteredError, SQLIdentityStore
from ungeforloeb.application.keys import KEY_SETTING, KeyConfigurationError
from ungeforloeb.domain.errors import InvalidCommandError
from ungeforloeb.domain.values import OrderStep

NOW = datetime(2024, 9, 2, 9, tzinfo=UTC)
PEOPLE = [("010504-1234", "Signe Kjærgaard"), ("311299-4321", "Mads Østergaard"),
          ("150606-0101", "Amira Haddad")]


def register(app: Ungeforloeb, cpr: str | None, name: str | None, **kw: object) -> object:
    return app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                      municipality_code="101", birth_date=date(2004, 5, 1),
                                      cpr=cpr, name=name, **kw)  # type: ignore[arg-type]


def file_store(tmp_path: Path, **env: str) -> Ungeforloeb:
    return Ungeforloeb(tmp_path / "store.sqlite", clock=SettableClock(NOW),
                       env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", **env})


def test_no_cpr_number_or_name_is_readable_anywhere_in_the_sqlite_file(tmp_path):
    app = file_store(tmp_path)
    ids = [register(app, cpr, name) for cpr, name in PEOPLE]
    assert [app.identity(i).name for i in ids] == [name for _, name in PEOPLE]  # type: ignore[union-attr]
    app.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store"))
    for cpr, name in PEOPLE:
        for shown in (cpr, cpr.replace("-", ""), name, name.split()[0], name.split()[1]):
            assert shown.encode() not in raw and shown.encode("utf-16-le") not in raw, shown


def test_the_identity_table_has_a_keyed_hash_and_a_sealed_blob_never_a_cpr_column(backend):
    app = backend.app(clock=SettableClock(NOW))
    person = register(app, *PEOPLE[0])
    store = app.identities
    assert isinstance(store, SQLIdentityStore)
    rows = list(store._rows(f"SELECT * FROM {app.recorder.identity_table}", ()))
    assert len(rows) == 1
    (person_id, lookup, sealed) = rows[0]
    assert str(person_id) == str(person)
    assert lookup == store.keys.cpr_lookup("0105041234") != "0105041234"
    assert b"0105041234" not in bytes(sealed) and b"Signe" not in bytes(sealed)
    assert app.identities.find_by_cpr("0105041234") == person
    assert app.identities.find_by_cpr("0105041235") is None


def test_a_failed_event_write_leaves_no_identity_and_the_cpr_can_be_registered_again(backend):
    app = backend.app(clock=SettableClock(NOW))
    taken = register(app, None, None)
    with pytest.raises(IntegrityError) as refused:
        register(app, *PEOPLE[0], young_person_id=taken)  # the event's key is taken: fails
    assert "0105041234" not in str(refused.value) and "Signe" not in str(refused.value)
    assert app.identities.find_by_cpr("0105041234") is None
    again = register(app, *PEOPLE[0])
    assert app.identity(again).cpr == "0105041234"  # type: ignore[union-attr]


def test_a_batch_writes_identities_with_its_events_or_not_at_all(backend):
    app = backend.app(clock=SettableClock(NOW))
    with pytest.raises(RuntimeError, match="stop"), app.batch():
        register(app, *PEOPLE[0])
        raise RuntimeError("stop")
    assert app.identities.find_by_cpr("0105041234") is None
    with app.batch():
        first = register(app, *PEOPLE[0])
        second = register(app, *PEOPLE[1])
    assert app.identity(first).name == PEOPLE[0][1]  # type: ignore[union-attr]
    assert app.identity(second).name == PEOPLE[1][1]  # type: ignore[union-attr]
    with pytest.raises(InvalidCommandError, match="cpr") as refused, app.batch():
        register(app, "020202-2222", "A")
        register(app, "020202-2222", "B")
    assert "0202022222" not in str(refused.value)
    assert app.identities.find_by_cpr("0202022222") is None


def test_a_second_registration_of_a_cpr_number_is_refused_without_echoing_it(backend):
    app = backend.app(clock=SettableClock(NOW))
    register(app, *PEOPLE[0])
    with pytest.raises(CprAlreadyRegisteredError) as refused:
        register(app, "010504-1234", "Someone Else")
    assert "0105041234" not in str(refused.value) and "010504-1234" not in str(refused.value)


def test_a_cpr_race_that_passes_the_check_is_refused_by_the_database_without_its_text(backend):
    """Two registrations of one CPR number both pass the lookup before either commits: the
    unique key on the keyed hash refuses the second, as a domain error naming the field only."""
    winner = backend.app(clock=SettableClock(NOW))
    loser = backend.app(clock=SettableClock(NOW))
    register(winner, *PEOPLE[0])
    real_lookup = loser.identities.find_by_cpr
    calls: list[str] = []

    def not_yet_committed(cpr: str) -> object:  # the window: the winner has not committed yet
        calls.append(cpr)
        return None if len(calls) == 1 else real_lookup(cpr)

    loser.identities.find_by_cpr = not_yet_committed  # type: ignore[method-assign]
    before = len(list(loser.records()))
    with pytest.raises(CprAlreadyRegisteredError) as refused:
        register(loser, "010504-1234", "Someone Else")
    text = str(refused.value)
    assert "Key (" not in text and "cpr_lookup" not in text and "UNIQUE" not in text
    assert winner.identities.keys.cpr_lookup("0105041234") not in text
    assert refused.value.__suppress_context__ and refused.value.__cause__ is None
    assert len(list(loser.records())) == before


def test_concurrent_registrations_of_one_cpr_number_record_exactly_one(backend):
    apps = [backend.app(clock=SettableClock(NOW)) for _ in range(4)]
    results: list[object] = []
    gate = threading.Barrier(len(apps))

    def go(app: Ungeforloeb) -> None:
        gate.wait()
        try:
            results.append(register(app, "120912-3456", "Racer"))
        except CprAlreadyRegisteredError as e:
            results.append(e)

    threads = [threading.Thread(target=go, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1 and len(results) == len(apps)
    firsts = [r for r in apps[0].records() if r.type == "FirstContactRegistered"]
    assert [r.stream_id for r in firsts] == [str(won[0])]


def test_a_configured_key_is_used_and_a_wrong_key_reads_nothing(tmp_path):
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    app = file_store(tmp_path, **{KEY_SETTING: key})
    person = register(app, *PEOPLE[0])
    app.close()
    assert not (tmp_path / "store.sqlite.key").exists()
    again = file_store(tmp_path, **{KEY_SETTING: key})
    assert again.identity(person).name == PEOPLE[0][1]  # type: ignore[union-attr]
    assert again.identities.find_by_cpr("0105041234") == person
    again.close()
    other = base64.urlsafe_b64encode(os.urandom(32)).decode()
    wrong = file_store(tmp_path, **{KEY_SETTING: other})
    assert wrong.identities.find_by_cpr("0105041234") is None
    with pytest.raises(LookupError, match="does not open"):
        wrong.identity(person)
    wrong.close()


@pytest.mark.parametrize("bad", ["not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_a_malformed_key_is_refused_naming_the_setting(tmp_path, bad):
    with pytest.raises(KeyConfigurationError, match=KEY_SETTING):
        file_store(tmp_path, **{KEY_SETTING: bad})


def test_without_a_configured_key_a_sqlite_store_gets_a_private_key_file_beside_it(tmp_path):
    app = file_store(tmp_path)
    person = register(app, *PEOPLE[0])
    app.close()
    key_file = tmp_path / "store.sqlite.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(key_file.read_text().strip())) == 32
    assert file_store(tmp_path).identity(person).cpr == "0105041234"  # type: ignore[union-attr]


class VaultWrapper:
    """A key wrapper of the vendor's own (as an HSM or a KMS would be): its own key, and a
    count of what it was asked to do."""

    def __init__(self) -> None:
        from ungeforloeb.application.keys import new_data_key

        self._key = new_data_key()
        self.calls: list[str] = []

    def wrap(self, person_id, data_key):
        from ungeforloeb.application.keys import seal

        self.calls.append("wrap")
        return seal(self._key, person_id, "vault", data_key)

    def unwrap(self, person_id, wrapped):
        from ungeforloeb.application.keys import open_sealed

        self.calls.append("unwrap")
        return open_sealed(self._key, person_id, "vault", wrapped)


def test_data_keys_are_wrapped_by_a_pluggable_wrapper(tmp_path):
    vault = VaultWrapper()
    app = Ungeforloeb(tmp_path / "store.sqlite", clock=SettableClock(NOW), key_wrapper=vault)
    person = register(app, *PEOPLE[0])
    app.close()
    reader = Ungeforloeb(tmp_path / "store.sqlite", key_wrapper=vault)
    assert reader.identity(person).name == PEOPLE[0][1]  # type: ignore[union-attr]
    assert [r.payload["birth_date"] for r in reader.records()] == ["2004-05-01"]
    assert vault.calls[0] == "wrap" and "unwrap" in vault.calls
    without = Ungeforloeb(tmp_path / "store.sqlite")  # the local wrapper cannot open them
    with pytest.raises(LookupError, match="does not open"):
        list(without.records())


def test_a_new_persons_key_is_not_read_back_from_the_key_table(backend, monkeypatch):
    """Given a first contact with a new random id, when the person's next commands run, then
    the key table is not read: the key written with the first event is kept as read (and a
    new random id is not looked up before it is written). A chosen id is still looked up."""
    app = backend.app(clock=SettableClock(NOW))
    store = app.personal_data
    assert isinstance(store, SQLIdentityStore)
    reads: list[str] = []
    real = store._rows
    monkeypatch.setattr(store, "_rows", lambda sql, params: reads.append(sql) or real(sql, params))
    person = register(app, *PEOPLE[0])
    order = app.issue_order(person, occurred_on=date(2024, 9, 2),  # type: ignore[arg-type]
                            recorded_by="cw-1")
    app.set_step_deadline(order, occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                          step=OrderStep.PROPOSE_WISH, deadline=date(2024, 10, 1))
    assert app.personal_data.data_key(person) is not None  # type: ignore[arg-type]
    assert not [sql for sql in reads if store._key_table in sql]
    chosen = register(app, *PEOPLE[1], young_person_id=uuid4())
    assert chosen and [sql for sql in reads if store._key_table in sql]
