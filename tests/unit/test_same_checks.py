"""`import` and `audit` run the checks of `verify --recompute` (and the signature and root when
given): a log whose trailer digest is not the one re-derived from it is refused, never loaded,
and an audit prints nothing of it."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from interchange_support import EXPORTED_AT, PERSON_A, new_app, parse, reseal, small_history
from ungeforloeb.cli import main
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.checkpoint import Signer
from ungeforloeb.interchange.export import checkpoint_path, export_to_file
from ungeforloeb.interchange.importer import import_log
from ungeforloeb.interchange.verify import verify_log

AS_OF = "2024-03-01"
SIGNER = Signer("kommune-101.example", bytes(range(32)))


@pytest.fixture
def logs(tmp_path):
    """A signed export with the library's digest, and the same log with a wrong trailer digest
    (resealed: the chain holds)."""
    app, clock = new_app()
    small_history(app, clock)
    good = tmp_path / "good.jsonl"
    export_to_file(app, good, signer=SIGNER, exported_at=EXPORTED_AT,
                   as_of=clock().date())
    objs = parse(good.read_bytes())
    objs[-1]["verdict_digest"] = "00" * 32
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(reseal(objs))
    pub = tmp_path / "key.pub"
    pub.write_text(SIGNER.verifier().text())
    return good, bad, pub


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_wrong_digest_passes_verify_but_not_recompute(logs) -> None:
    _, bad, _ = logs
    assert verify_log(io.BytesIO(bad.read_bytes())).event_count == 15
    with pytest.raises(e.DigestMismatchError):
        verify_log(io.BytesIO(bad.read_bytes()), recompute_digest=True)


def test_import_refuses_the_wrong_digest_and_writes_nothing(logs, tmp_path) -> None:
    good, bad, _ = logs
    fresh, _ = new_app()
    with pytest.raises(e.DigestMismatchError, match="differ from the exporter's"):
        import_log(fresh, io.BytesIO(bad.read_bytes()))
    assert not fresh.recorder.max_notification_id()
    db = tmp_path / "store.sqlite"
    result = run("import", bad, "--db", db)
    assert result.exit_code == 1 and "verdict_digest" in result.output
    assert not db.exists()
    assert run("import", good, "--db", db).exit_code == 0


def test_import_checks_signature_and_root_when_given(logs, tmp_path) -> None:
    good, _, pub = logs
    objs = parse(good.read_bytes())
    # a re-hashed forgery (recorded_by is in no verdict, so the trailer's digest still holds)
    objs[3]["recorded_by"] = "cw-99"
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(reseal(objs))
    checkpoint_path(forged).write_bytes(checkpoint_path(good).read_bytes())
    db = tmp_path / "store.sqlite"
    result = run("import", forged, "--db", db, "--key", pub)
    assert result.exit_code == 1 and "not the signed root" in result.output
    assert not db.exists()
    fresh, _ = new_app()
    with pytest.raises(e.RootMismatchError):
        import_log(fresh, io.BytesIO(forged.read_bytes()), expect_root="00" * 32)
    assert not fresh.recorder.max_notification_id()
    assert run("import", good, "--db", db, "--key", pub).exit_code == 0


@pytest.mark.parametrize("options", [[], ["--format", "jsonl"], ["--format", "csv"],
                                     ["--case", str(PERSON_A)], ["--known-at", "2024-02-01"],
                                     ["--as-of", "2024-02-15"]])
def test_audit_refuses_the_wrong_digest_before_any_output(logs, options) -> None:
    good, bad, pub = logs
    as_of = [] if "--as-of" in options else ["--as-of", AS_OF]
    result = run("audit", bad, *as_of, *options)
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and "verdict_digest" in result.stderr
    ok = run("audit", good, *as_of, *options, "--key", pub)
    assert ok.exit_code == 0, ok.output


def test_audit_checks_the_key(logs, tmp_path) -> None:
    good, _, _ = logs
    other = tmp_path / "other.pub"
    other.write_text(Signer("kommune-101.example", bytes(32)).verifier().text())
    result = run("audit", good, "--as-of", AS_OF, "--key", other)
    assert result.exit_code == 1 and "bears no signature" in result.stderr
    assert result.stdout == ""
