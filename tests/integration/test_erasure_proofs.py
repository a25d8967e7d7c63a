"""A log with an erased person (crypto-shredded) still verifies, proves and packs: what is
hashed and signed is what the log holds (the generalised birth date, the erasure event), on
SQLite and PostgreSQL. A later export does not extend one made before the erasure: the erased
person's first event reads differently, and the consistency proof says so."""

from __future__ import annotations

from click.testing import CliRunner
from test_backends import TODAY, walk_a_case

from ungeforloeb.application import SettableClock
from ungeforloeb.cli import main
from ungeforloeb.interchange.checkpoint import Signer
from ungeforloeb.interchange.export import export_to_file

SIGNER = Signer("kommune-101.example", bytes(range(32)))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_log_with_an_erased_person_verifies_proves_and_packs(backend, tmp_path):
    app = backend.app(clock=SettableClock(TODAY))
    yp, _, _ = walk_a_case(app)
    before = tmp_path / "before.jsonl"
    export_to_file(app, before, signer=SIGNER)
    app.erase_personal_data(yp, occurred_on=TODAY, recorded_by="dpo-1")
    log = tmp_path / "log.jsonl"
    summary = export_to_file(app, log, signer=SIGNER)
    assert b"PersonalDataErased" in log.read_bytes()
    pub = tmp_path / "key.pub"
    pub.write_text(SIGNER.verifier().text())
    assert summary.root is not None

    verified = run("verify", log, "--recompute", "--key", pub, "--expect-root",
                   summary.root.hex())
    assert verified.exit_code == 0, verified.output
    proof = tmp_path / "case.proof"
    made = run("prove", log, "--case", str(yp), "--out", proof)
    assert made.exit_code == 0, made.output
    assert b"PersonalDataErased" in proof.read_bytes()
    checked = run("verify-proof", proof, "--key", pub)
    assert checked.exit_code == 0, checked.output
    pack = tmp_path / "pack.zip"
    assert run("pack", log, "--out", pack, "--key", pub).exit_code == 0
    audited = run("audit", pack, "--key", pub)
    assert audited.exit_code == 0 and audited.output.startswith("identical"), audited.output

    refused = run("prove", log, "--extends", before, "--out", tmp_path / "ext.proof")
    assert refused.exit_code == 1
    assert "does not extend the earlier export" in refused.output
