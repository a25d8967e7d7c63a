"""Every command that writes a file (``--out``) refuses to overwrite one without ``--force``:
exit 2, one line naming the file, nothing written; with ``--force`` it is replaced."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ungeforloeb.cli import main

KEPT = b"an earlier file, to be kept\n"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("overwrite")
    db, log = tmp / "demo.sqlite", tmp / "demo.jsonl"
    assert run("demo", "--db", db, "--people", "10", "--fresh").exit_code == 0
    exported = run("export", "--db", db, "--out", log)
    assert exported.exit_code == 0, exported.output
    case = orjson.loads(run("cases", "--format", "json", "--db", db).output)[0]
    return {"db": db, "log": log, "case": Path(case["young_person_id"][:8])}


WRITERS: dict[str, Callable[[dict[str, Path], Path], list[str | Path]]] = {
    "export": lambda d, out: ["export", "--db", d["db"], "--out", out],
    "audit": lambda d, out: ["audit", d["log"], "--as-of", "2024-12-31", "--out", out],
    "audit --case": lambda d, out: ["audit", d["log"], "--as-of", "2024-12-31", "--case",
                                    d["case"], "--format", "json", "--out", out],
    "own-view": lambda d, out: ["own-view", d["case"], "--as-of", "2024-12-31", "--db",
                                d["db"], "--out", out],
    "prove": lambda d, out: ["prove", d["log"], "--seq", "2", "--out", out],
    "pack": lambda d, out: ["pack", d["log"], "--out", out],
    "keygen": lambda d, out: ["keygen", "--name", "kommune-101.example.dk", "--out", out],
    "management-report": lambda d, out: ["management-report", "--from", "2024-01-01", "--to",
                                         "2024-12-31", "--db", d["db"], "--out", out],
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_an_existing_out_is_kept_without_force_and_replaced_with_it(
        demo: dict[str, Path], tmp_path: Path, writer: str) -> None:
    out = tmp_path / ("out.zip" if writer == "pack" else "out")
    out.write_bytes(KEPT)
    refused = run(*WRITERS[writer](demo, out))
    assert refused.exit_code == 2, refused.output
    assert f"{out} exists; give --force to overwrite it" in refused.output
    assert out.read_bytes() == KEPT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zip" if writer == "pack"
                                                           else "out"]
    forced = run(*WRITERS[writer](demo, out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes() != KEPT
    if writer == "pack":
        assert zipfile.is_zipfile(out)
        assert run("audit", out).exit_code == 0


def test_keygen_refuses_when_only_the_verifier_key_exists(tmp_path: Path) -> None:
    key = tmp_path / "k"
    Path(f"{key}.pub").write_bytes(KEPT)
    refused = run("keygen", "--name", "x.example", "--out", key)
    assert refused.exit_code == 2 and f"{key}.pub exists" in refused.output
    assert not key.exists()


def test_a_signed_export_refuses_to_overwrite_its_checkpoint(demo: dict[str, Path],
                                                             tmp_path: Path) -> None:
    key = tmp_path / "signer"
    assert run("keygen", "--name", "x.example", "--out", key).exit_code == 0
    out = tmp_path / "log.jsonl"
    checkpoint = tmp_path / "log.jsonl.checkpoint"
    checkpoint.write_bytes(KEPT)
    refused = run("export", "--db", demo["db"], "--out", out, "--sign-key", key)
    assert refused.exit_code == 2 and f"{checkpoint} exists" in refused.output
    assert not out.exists() and checkpoint.read_bytes() == KEPT


def test_pack_replaces_a_pack_directory_but_no_other_directory(demo: dict[str, Path],
                                                               tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    assert run("pack", demo["log"], "--out", pack).exit_code == 0
    assert run("pack", demo["log"], "--out", pack).exit_code == 2
    again = run("pack", demo["log"], "--out", pack, "--force")
    assert again.exit_code == 0, again.output
    assert run("audit", pack).exit_code == 0
    other = tmp_path / "documents"
    other.mkdir()
    (other / "letter.txt").write_bytes(KEPT)
    refused = run("pack", demo["log"], "--out", other, "--force")
    assert refused.exit_code == 2 and "holds no pack" in refused.output
    assert (other / "letter.txt").read_bytes() == KEPT
