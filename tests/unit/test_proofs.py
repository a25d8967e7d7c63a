"""Inclusion and consistency proofs of a signed log: `prove` writes a small file, `verify-proof`
checks it without the log; a changed byte of the proof (or of an event in it) fails it."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange_support import (
    EXPORTED_AT,
    PERSON_A,
    PERSON_B,
    REGIMES,
    fake_digest,
    new_app,
    parse,
    reseal,
    small_history,
)
from ungeforloeb.cli import main
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.checkpoint import Signer, Verifier
from ungeforloeb.interchange.export import checkpoint_path, export_to_file
from ungeforloeb.interchange.proofs import proof_bytes, prove_inclusion, verify_proof
from ungeforloeb.interchange.ranges import Source

SEED = bytes(range(32))
SIGNER = Signer("kommune-101.example", SEED)
VERIFIER = SIGNER.verifier()


def signed(tmp_path, name="log.jsonl", more=False):
    app, clock = new_app()
    small_history(app, clock)
    if more:
        app.hold_first_conversation(PERSON_B, occurred_on=clock().date(), recorded_by="cw-2")
    log = tmp_path / name
    export_to_file(app, log, signer=SIGNER, exported_at=EXPORTED_AT, regimes=REGIMES,
                   digest=fake_digest)
    (tmp_path / "key.pub").write_text(VERIFIER.text() + "\n")
    return log


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_case_proof_round_trips_without_the_log(tmp_path) -> None:
    log = signed(tmp_path)
    proof = tmp_path / "case.proof"
    made = run("prove", log, "--case", str(PERSON_A), "--out", proof)
    assert made.exit_code == 0, made.output
    data = orjson.loads(proof.read_bytes())
    seqs = [orjson.loads(leaf["event"])["seq"] for leaf in data["leaves"]]
    lines = parse(log.read_bytes())[1:-1]
    mine = [o["seq"] for o in lines if o["stream_id"] == str(PERSON_A)
            or o["payload"].get("young_person_id") == str(PERSON_A)
            or o["stream_id"] in {"00000000-0000-4000-8000-0000000000a1",
                                  "00000000-0000-4000-8000-0000000000a2"}]
    assert seqs == mine and data["case_id"] == str(PERSON_A)
    assert data["checkpoint"] == checkpoint_path(log).read_text()
    log.unlink()  # the auditor has only the proof and the key
    checked = run("verify-proof", proof, "--key", tmp_path / "key.pub")
    assert checked.exit_code == 0, checked.output
    assert f"ok: {len(seqs)} events are in the tree of {len(lines)} events" in checked.output
    assert "signed by kommune-101.example" in checked.output


def test_one_event_against_the_recorded_root(tmp_path) -> None:
    log = signed(tmp_path)
    checkpoint_path(log).unlink()
    proof = tmp_path / "one.proof"
    made = run("prove", log, "--seq", "3", "--out", proof)
    assert made.exit_code == 0 and "verify-proof --expect-root" in made.output
    root = orjson.loads(proof.read_bytes())["root"]
    assert run("verify-proof", proof, "--expect-root", root).exit_code == 0
    wrong = run("verify-proof", proof, "--expect-root", "00" * 32)
    assert wrong.exit_code == 1 and "not the root recorded at export" in wrong.output
    nokey = run("verify-proof", proof, "--key", tmp_path / "key.pub")
    assert nokey.exit_code == 1 and "carries no checkpoint" in nokey.output


def test_consistency_this_export_extends_the_earlier_one(tmp_path) -> None:
    old = signed(tmp_path, "old.jsonl")
    new = signed(tmp_path, "new.jsonl", more=True)
    for earlier in (checkpoint_path(old), old):
        proof = tmp_path / "ext.proof"
        made = run("prove", new, "--extends", earlier, "--out", proof, "--force")
        assert made.exit_code == 0, made.output
        checked = run("verify-proof", proof, "--key", tmp_path / "key.pub")
        assert checked.exit_code == 0, checked.output
        assert "extends the tree of 15 events" in checked.output
    # a log whose early events differ does not extend it
    objs = parse(new.read_bytes())
    objs[2]["recorded_by"] = "cw-99"
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(reseal(objs))
    refused = run("prove", forged, "--extends", checkpoint_path(old), "--out",
                  tmp_path / "forged.proof", "--checkpoint", checkpoint_path(new))
    assert refused.exit_code == 1
    assert "not the signed root" in refused.output
    refused = run("prove", forged, "--extends", old, "--out", tmp_path / "x.proof")
    assert refused.exit_code == 1 and "does not extend the earlier export" in refused.output


def test_proving_names_the_missing_event_or_case(tmp_path) -> None:
    log = signed(tmp_path)
    assert "has no event 99" in run("prove", log, "--seq", "99", "--out", tmp_path / "p").output
    assert "no young person" in run("prove", log, "--case", "ffff", "--out",
                                    tmp_path / "p").output
    assert run("prove", log, "--out", tmp_path / "p").exit_code == 2


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proofs")
    new = signed(tmp, "new.jsonl", more=True)
    old = signed(tmp, "old.jsonl")
    source = Source(path=str(new))
    note = checkpoint_path(new).read_text()
    inclusion = proof_bytes(prove_inclusion(source, case_id=str(PERSON_A), checkpoint=note))
    from ungeforloeb.interchange.proofs import prove_consistency, read_leaves

    tree = read_leaves(Source(path=str(old)).lines()).tree
    consistency = proof_bytes(prove_consistency(
        source, old_size=tree.size, old_root=tree.root,
        old_checkpoint=checkpoint_path(old).read_text(), checkpoint=note))
    return {"inclusion": inclusion, "consistency": consistency}


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["inclusion", "consistency"]), at=st.floats(0, 1, exclude_max=True),
       flip=st.integers(1, 255))
def test_any_changed_byte_of_a_proof_fails_it(proofs, kind, at, flip) -> None:
    data = proofs[kind]
    assert verify_proof(data, verifier=VERIFIER).kind == kind
    changed = bytearray(data)
    changed[int(at * len(data))] ^= flip
    with pytest.raises(e.ProofError):
        verify_proof(bytes(changed), verifier=VERIFIER)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 127))
def test_any_changed_byte_of_an_event_fails_it_even_re_encoded(proofs, at, flip) -> None:
    # the event changed and the proof file re-written in canonical form around it
    proof = orjson.loads(proofs["inclusion"])
    leaf = proof["leaves"][len(proof["leaves"]) // 2]
    event = bytearray(leaf["event"].encode())
    event[int(at * len(event))] ^= flip
    try:
        leaf["event"] = event.decode()
    except UnicodeDecodeError:
        return
    with pytest.raises(e.ProofError):
        verify_proof(proof_bytes(proof), verifier=VERIFIER)


def test_a_proof_signed_by_another_key_fails(proofs) -> None:
    other = Verifier.parse(Signer("kommune-101.example", bytes(32)).verifier().text())
    with pytest.raises(e.ProofError, match="bears no signature"):
        verify_proof(proofs["inclusion"], verifier=other)
