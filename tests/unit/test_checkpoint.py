"""Signed checkpoints: an export signs its Merkle root; `verify --key` and `verify
--expect-root` refuse a re-hashed forgery (an event edited and the chain recomputed from it),
naming the reason."""

from __future__ import annotations

import base64
from datetime import date

import orjson
import pytest
from click.testing import CliRunner

from interchange_support import (
    EXPORTED_AT,
    REGIMES,
    fake_digest,
    new_app,
    parse,
    reseal,
    small_history,
)
from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.clock import SettableClock
from ungeforloeb.cli import main
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.checkpoint import (
    Checkpoint,
    Signer,
    Verifier,
    check_tree,
    key_id,
    log_tree,
    open_note,
)
from ungeforloeb.interchange.export import checkpoint_path, export_to_file
from ungeforloeb.interchange.merkle import event_leaf_hash, root_of

SEED = bytes(range(32))


def signed_export(tmp_path, name="kommune-101.example"):
    app, clock = new_app()
    small_history(app, clock)
    signer = Signer(name, SEED)
    log = tmp_path / "log.jsonl"
    summary = export_to_file(app, log, signer=signer, exported_at=EXPORTED_AT,
                             regimes=REGIMES, digest=fake_digest)
    pub = tmp_path / "key.pub"
    pub.write_text(signer.verifier().text() + "\n")
    return log, pub, summary


def forge(log) -> bytes:
    """Edit the fourth event and recompute the chain from it (a valid chain, other events)."""
    objs = parse(log.read_bytes())
    objs[4]["recorded_by"] = "cw-99"
    return reseal(objs)


def test_the_checkpoint_is_a_signed_note_over_the_event_root(tmp_path) -> None:
    log, _pub, summary = signed_export(tmp_path)
    note = checkpoint_path(log).read_text()
    lines = log.read_bytes().splitlines(keepends=True)
    root = root_of(event_leaf_hash(ln) for ln in lines[1:-1])
    assert summary.root == root
    trailer_hash = orjson.loads(lines[-1])["hash"]
    body, _, sig = note.partition("\n\n")
    assert body.split("\n") == ["kommune-101.example", str(len(lines) - 2),
                                base64.b64encode(root).decode(),
                                f"ungeforloeb-trailer {trailer_hash}"]
    assert sig.startswith("\u2014 kommune-101.example ") and sig.endswith("\n")
    verifier = Signer("kommune-101.example", SEED).verifier()
    assert open_note(note, verifier) == Checkpoint("kommune-101.example", len(lines) - 2, root,
                                                   trailer_hash)
    check_tree(log_tree(lines), checkpoint=note, verifier=verifier, expect_root=root.hex())


def test_keys_read_back_and_name_their_id() -> None:
    signer = Signer("k1", SEED)
    assert Signer.parse(signer.text()) == signer
    v = Verifier.parse(signer.verifier().text())
    assert v == signer.verifier() and v.id == key_id("k1", v.public)
    assert signer.text().startswith(f"PRIVATE+KEY+k1+{v.id.hex()}+")
    with pytest.raises(e.KeyFileError, match="does not match"):
        Verifier.parse(v.text().replace(v.id.hex(), "00000000"))
    with pytest.raises(e.KeyFileError):
        Verifier.parse("not a key")


def test_verify_with_key_and_root_accepts_the_export(tmp_path) -> None:
    log, pub, summary = signed_export(tmp_path)
    assert summary.root is not None
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(pub),
                                       "--expect-root", summary.root.hex()])
    assert result.exit_code == 0, result.output
    assert "equal to the checkpoint signed by kommune-101.example and the root recorded" \
        in result.output


def test_a_rehashed_forgery_passes_the_chain_but_fails_key_and_root(tmp_path) -> None:
    log, pub, summary = signed_export(tmp_path)
    assert summary.root is not None
    log.write_bytes(forge(log))
    run = CliRunner().invoke
    assert run(main, ["verify", str(log)]).exit_code == 0  # a chain proves order, not origin
    by_key = run(main, ["verify", str(log), "--key", str(pub)])
    assert by_key.exit_code == 1
    assert "not the signed root: events were changed after signing" in by_key.output
    by_root = run(main, ["verify", str(log), "--expect-root", summary.root.hex()])
    assert by_root.exit_code == 1
    assert "not the root recorded at export" in by_root.output


def test_a_forgery_with_its_own_checkpoint_fails_the_key(tmp_path) -> None:
    log, pub, _ = signed_export(tmp_path)
    log.write_bytes(forge(log))
    tree = log_tree(log.read_bytes().splitlines(keepends=True))
    cp = Checkpoint("kommune-101.example", tree.size, tree.root, tree.trailer_hash)
    # signed by another key under the same name
    checkpoint_path(log).write_text(cp.sign(Signer("kommune-101.example", bytes(32))))
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(pub)])
    assert result.exit_code == 1
    assert "bears no signature of key kommune-101.example" in result.output
    # the genuine signature over a changed text
    genuine = Checkpoint("kommune-101.example", tree.size, tree.root, tree.trailer_hash).sign(
        Signer("kommune-101.example", SEED))
    _body, _, sig = genuine.partition("\n\n")
    other = Checkpoint("kommune-101.example", tree.size + 1, tree.root, tree.trailer_hash)
    with pytest.raises(e.SignatureError, match="changed after signing"):
        open_note(other.body() + "\n" + sig, Verifier.parse(pub.read_text()))


def test_a_changed_header_fails_the_signed_trailer(tmp_path) -> None:
    log, pub, _ = signed_export(tmp_path)
    objs = parse(log.read_bytes())
    objs[0]["regimes"] = {"test-regime": "cd" * 32}
    log.write_bytes(reseal(objs))
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(pub)])
    assert result.exit_code == 1 and "the header or the trailer was changed" in result.output


def test_key_without_checkpoint_is_a_usage_error(tmp_path) -> None:
    log, pub, _ = signed_export(tmp_path)
    checkpoint_path(log).unlink()
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(pub)])
    assert result.exit_code == 2 and "needs the log's signed checkpoint" in result.output


def test_keygen_writes_a_pair_that_signs_an_export(tmp_path) -> None:
    run = CliRunner().invoke
    key = tmp_path / "signer.key"
    result = run(main, ["keygen", "--name", "kommune-101", "--out", str(key)])
    assert result.exit_code == 0, result.output
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    signer = Signer.parse(key.read_text())
    assert Verifier.parse((tmp_path / "signer.key.pub").read_text()) == signer.verifier()
    assert run(main, ["keygen", "--name", "x", "--out", str(key)]).exit_code == 2


def test_export_signs_with_the_key_of_the_setting(tmp_path, monkeypatch) -> None:
    db = tmp_path / "store.sqlite"
    clock = SettableClock(date(2024, 1, 2))
    app = Ungeforloeb(db, clock=clock)
    small_history(app, clock)
    app.close()
    key = tmp_path / "signer.key"
    key.write_text(Signer("kommune-101", SEED).text() + "\n")
    (tmp_path / "key.pub").write_text(Signer("kommune-101", SEED).verifier().text())
    monkeypatch.setenv("UNGEFORLOEB_SIGNING_KEY", str(key))
    log = tmp_path / "log.jsonl"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(log)])
    assert result.exit_code == 0, result.output
    assert f"signed checkpoint {checkpoint_path(log)}" in result.output
    root = result.output.split("merkle root ")[1].split()[0]
    checked = CliRunner().invoke(main, ["verify", str(log), "--key", str(tmp_path / "key.pub"),
                                        "--expect-root", root, "--recompute"])
    assert checked.exit_code == 0, checked.output
