"""docs/interchange.md §11–12: the test vectors are those the library computes."""

from __future__ import annotations

import re
from pathlib import Path

from ungeforloeb.interchange.checkpoint import Checkpoint, Signer, Verifier, log_tree, open_note
from ungeforloeb.interchange.merkle import (
    Leaves,
    consistency_path,
    event_leaf_hash,
    inclusion_paths,
    verify_consistency,
)

DOC = Path(__file__).parents[2] / "docs" / "interchange.md"


def _between(begin: str, end: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(begin) + len(begin):text.index(end)]


def _example_lines() -> list[bytes]:
    block = _between("<!-- example:begin -->", "<!-- example:end -->")
    log = re.search(r"```jsonl\n(.*?)```", block, re.S)
    assert log is not None
    return log.group(1).encode().splitlines(keepends=True)


def test_the_vectors_are_the_librarys() -> None:
    lines = _example_lines()
    block = _between("<!-- vectors:begin -->", "<!-- vectors:end -->")
    first, note = re.findall(r"```text\n(.*?)```", block, re.S)
    table = dict(line.split(None, 1) for line in first.splitlines() if line.strip()
                 and not line.startswith("leaf"))
    leaves = [line.split()[2] for line in first.splitlines() if line.startswith("leaf")]
    assert leaves == [event_leaf_hash(x).hex() for x in lines[1:-1]]
    tree = log_tree(lines)
    assert table["root"] == tree.root.hex()
    signer = Signer.parse(table["signer"])
    assert signer.seed == bytes(range(32))
    assert Verifier.parse(table["verifier"]) == signer.verifier()
    cp = Checkpoint(signer.name, tree.size, tree.root, tree.trailer_hash)
    assert note == cp.sign(signer)
    assert open_note(note, signer.verifier()) == cp


def test_the_proof_vectors_are_the_librarys() -> None:
    lines = _example_lines()
    text = " ".join(_between("## 12. Proofs", "**Erasure.**").split())
    leaves = Leaves()
    for x in lines[1:-1]:
        leaves.append(event_leaf_hash(x))
    path = inclusion_paths(leaves, [2])[2]
    assert f"`{path[0].hex()}`, `{path[1].hex()}`" in text
    assert f"first 3 events is `{leaves.root(0, 3).hex()}`" in text
    proof = consistency_path(leaves, 3)
    assert [p.hex()[:8] for p in proof[:2]] == ["df9acf7e", "76c31f4a"]
    assert f"`{proof[2].hex()}` (the root of the first two)" in text
    assert verify_consistency(3, 4, leaves.root(0, 3), leaves.root(), proof)
