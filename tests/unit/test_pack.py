"""The auditor's pack: `pack` writes the log, its checkpoint, the regime files, the expected
verdicts and a manifest; `audit PACK` re-derives them offline and answers identical, or names the
first difference (case, rule, verdict)."""

from __future__ import annotations

import hashlib
import zipfile

import orjson
import pytest
from click.testing import CliRunner

from interchange_support import EXPORTED_AT, new_app, parse, reseal, small_history
from ungeforloeb.cli import main
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.checkpoint import Signer
from ungeforloeb.interchange.export import export_to_file
from ungeforloeb.interchange.pack import audit_pack, regime_files_of
from ungeforloeb.rules.loader import packaged_files

SIGNER = Signer("kommune-101.example", bytes(range(32)))


@pytest.fixture
def signed(tmp_path):
    app, clock = new_app()
    small_history(app, clock)
    log = tmp_path / "log.jsonl"
    export_to_file(app, log, signer=SIGNER, exported_at=EXPORTED_AT, as_of=clock().date())
    pub = tmp_path / "key.pub"
    pub.write_text(SIGNER.verifier().text())
    return log, pub


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def rehash(pack, name) -> None:
    """Update the manifest after a member was changed (a consistent forgery)."""
    manifest = orjson.loads((pack / "manifest.json").read_bytes())
    manifest["files"][name] = hashlib.sha256((pack / name).read_bytes()).hexdigest()
    (pack / "manifest.json").write_bytes(orjson.dumps(manifest))


@pytest.mark.parametrize("name", ["pack", "pack.zip"])
def test_pack_then_audit_is_identical(signed, tmp_path, name) -> None:
    log, pub = signed
    pack = tmp_path / name
    made = run("pack", log, "--out", pack, "--key", pub)
    assert made.exit_code == 0, made.output
    assert "with the signed checkpoint" in made.output
    log.unlink()  # offline: the pack is all the auditor has
    result = run("audit", pack, "--key", pub)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("identical: ")
    assert "checkpoint signed by kommune-101.example" in result.output


def test_the_pack_holds_what_the_header_names(signed, tmp_path) -> None:
    log, _ = signed
    assert run("pack", log, "--out", tmp_path / "p", "--as-of", "2024-12-31").exit_code == 0
    manifest = orjson.loads((tmp_path / "p" / "manifest.json").read_bytes())
    header = parse(log.read_bytes())[0]
    regimes = {f: h for f, h in manifest["files"].items() if f.startswith("regimes/")}
    assert sorted(regimes.values()) == sorted(header["regimes"].values())
    assert manifest["as_of"] == "2024-12-31"
    assert set(manifest["files"]) == {"log.jsonl", "log.jsonl.checkpoint", "verdicts.jsonl",
                                      *regimes}
    lines = (tmp_path / "p" / "verdicts.jsonl").read_bytes().splitlines()
    assert len(lines) == manifest["verdict_count"] > 0
    body = b"[" + b",".join(lines) + b"]"
    assert hashlib.sha256(body).hexdigest() == manifest["verdict_digest"]
    assert audit_pack(tmp_path / "p").verdict_digest == manifest["verdict_digest"]


def test_a_changed_verdict_is_named_case_rule_and_status(signed, tmp_path) -> None:
    log, _ = signed
    pack = tmp_path / "p"
    assert run("pack", log, "--out", pack).exit_code == 0
    lines = (pack / "verdicts.jsonl").read_bytes().splitlines()
    k, v = next((k, orjson.loads(x)) for k, x in enumerate(lines)
                if orjson.loads(x)["status"] in ("met", "missed"))
    was = v["status"]
    v["status"] = "missed" if was == "met" else "met"
    lines[k] = orjson.dumps(v, option=orjson.OPT_SORT_KEYS)
    (pack / "verdicts.jsonl").write_bytes(b"".join(x + b"\n" for x in lines))
    unlisted = run("audit", pack)
    assert unlisted.exit_code == 1 and "verdicts.jsonl is not the file the manifest" \
        in unlisted.output
    rehash(pack, "verdicts.jsonl")
    result = run("audit", pack)
    assert result.exit_code == 1
    assert (f"case {v['case_id']}, rule {v['rule_id']}" in result.output
            and f"the pack's verdict is {v['status']}, the audit's {was}" in result.output), \
        result.output


def test_other_rule_data_is_refused(signed, tmp_path) -> None:
    log, _ = signed
    pack = tmp_path / "p"
    assert run("pack", log, "--out", pack).exit_code == 0
    regime = sorted((pack / "regimes").iterdir())[0]
    regime.write_bytes(regime.read_bytes() + b"\n# changed\n")
    rehash(pack, f"regimes/{regime.name}")
    result = run("audit", pack)
    assert result.exit_code == 1 and "does not hold" in result.output


def test_a_forged_log_in_a_pack_fails_the_key(signed, tmp_path) -> None:
    log, pub = signed
    pack = tmp_path / "p"
    assert run("pack", log, "--out", pack).exit_code == 0
    objs = parse((pack / "log.jsonl").read_bytes())
    objs[3]["recorded_by"] = "cw-99"
    (pack / "log.jsonl").write_bytes(reseal(objs))
    rehash(pack, "log.jsonl")
    result = run("audit", pack, "--key", pub)
    assert result.exit_code == 1 and "not the signed root" in result.output


def test_a_log_with_a_wrong_digest_is_not_packed(signed, tmp_path) -> None:
    log, _ = signed
    objs = parse(log.read_bytes())
    objs[-1]["verdict_digest"] = "00" * 32
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(reseal(objs))
    result = run("pack", bad, "--out", tmp_path / "p")
    assert result.exit_code == 1 and "verdict_digest" in result.output
    assert not (tmp_path / "p").exists()


def test_a_zip_member_outside_the_pack_is_refused(tmp_path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("../manifest.json", "{}")
    with pytest.raises(e.PackError, match="outside the pack"):
        audit_pack(z)


def test_regime_files_are_found_by_their_hash() -> None:
    name, raw = packaged_files()[0]
    assert regime_files_of({"x": hashlib.sha256(raw).hexdigest()}) == [(name, raw)]
    with pytest.raises(e.PackError, match="does not hold"):
        regime_files_of({"x": "00" * 32})
