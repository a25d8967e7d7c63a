"""Proofs an auditor can attach to a finding: that events are in a signed log (inclusion), and
that a log extends an earlier export (consistency), each checkable without the rest of the log.

A proof file is one JSON object (docs/interchange.md, section 12)::

    {"format": "ungeforloeb-proof", "format_version": 1, "kind": "inclusion",
     "tree_size": n, "root": "<hex>", "checkpoint": "<signed note>" | null,
     "case_id": "<young person id>" | null,
     "leaves": [{"event": "<the event line without hash>", "index": i,
                 "path": ["<hex>", …]}, …]}

    {"format": "ungeforloeb-proof", "format_version": 1, "kind": "consistency",
     "old_size": m, "old_root": "<hex>", "old_checkpoint": "<signed note>" | null,
     "tree_size": n, "root": "<hex>", "checkpoint": "<signed note>" | null,
     "path": ["<hex>", …]}

An inclusion proof carries each event itself — the leaf's data, the event line's canonical
bytes without its ``hash`` member (:mod:`~ungeforloeb.interchange.merkle`), so that every byte of
it is proved — its index (``seq`` − 1) and its audit path. A case's proof is a bundle of single
proofs, one per event of the case. It proves that those events are in the signed log, not that
the case has no other events (the tree is in log order, not by case). The file is written in
canonical form (keys sorted, no spaces, one line feed at the end) and must be read in it, so
that no byte of it is without meaning.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from ungeforloeb.interchange.checkpoint import (
    LogTree,
    Verifier,
    check_tree,
    open_note,
    parse_root,
)
from ungeforloeb.interchange.errors import CheckpointError, InterchangeError, ProofError
from ungeforloeb.interchange.format import canonical_bytes
from ungeforloeb.interchange.merkle import (
    HASH_SIZE,
    Leaves,
    consistency_path,
    event_leaf_data,
    event_leaf_hash,
    inclusion_paths,
    leaf_hash,
    root_from_inclusion,
    verify_consistency,
)
from ungeforloeb.interchange.ranges import Source, check_log
from ungeforloeb.interchange.reader import unpack

PROOF_FORMAT: Final = "ungeforloeb-proof"
PROOF_VERSION: Final = 1


@dataclass
class ReadLog:
    """A checked log's leaf hashes (32 bytes an event), its tree and the lines asked for."""

    leaves: Leaves
    tree: LogTree
    lines: dict[int, bytes]


def read_leaves(lines: Iterable[bytes], wanted: Collection[int] = ()) -> ReadLog:
    """The leaf hashes of a checked log's lines (header, events, trailer) and the event lines
    at the leaf indices ``wanted`` (without line feeds)."""
    leaves = Leaves()
    kept: dict[int, bytes] = {}
    it = iter(lines)
    last: bytes | None = None
    if next(it, None) is not None:  # the header
        for line in it:
            if last is not None and len(leaves) in wanted:
                kept[len(leaves)] = event_leaf_data(last)
                leaves.append(leaf_hash(kept[len(leaves)]))
            elif last is not None:
                leaves.append(event_leaf_hash(last))
            last = line
    if last is None:
        raise CheckpointError(None, "the log has no trailer")
    trailer_hash = str(orjson.loads(last)["hash"])
    return ReadLog(leaves, LogTree(len(leaves), leaves.root(), trailer_hash), kept)


def _resolve_case(case_ids: Sequence[str], wanted: str) -> str:
    w = wanted.strip().lower()
    matches = [k for k in case_ids if k == w] or [k for k in case_ids if k.startswith(w)]
    if len(matches) != 1:
        raise ProofError(f"no young person with id {wanted!r} in the log" if not matches else
                         f"{wanted!r} matches {len(matches)} cases; give more of the id")
    return matches[0]


def prove_inclusion(source: Source, *, seqs: Sequence[int] = (), case_id: str | None = None,
                    checkpoint: str | None = None, jobs: int | None = None) -> dict[str, Any]:
    """A proof that the events ``seqs`` (or every event of the case ``case_id``) are in the
    log, against its checkpoint (which must be the log's) or its root. The log is checked first.
    """
    index = check_log(source, jobs)
    case = None
    wanted = set()
    if case_id is not None:
        case = _resolve_case(index.case_ids, case_id)
        for p in index.positions(case):
            offset, length = unpack(p)
            wanted.add(int(orjson.loads(source.read(offset, length))["seq"]) - 1)
    for s in seqs:
        if not 1 <= s <= index.event_count:
            raise ProofError(f"the log has no event {s} (its events are 1 to "
                             f"{index.event_count})")
        wanted.add(s - 1)
    if not wanted:
        raise ProofError("name the events to prove (a seq or a case)")
    log = read_leaves(source.lines(), wanted)
    if checkpoint is not None:
        check_tree(log.tree, checkpoint=checkpoint)
    paths = inclusion_paths(log.leaves, sorted(wanted))
    return {
        "format": PROOF_FORMAT, "format_version": PROOF_VERSION, "kind": "inclusion",
        "tree_size": log.tree.size, "root": log.tree.root.hex(), "checkpoint": checkpoint,
        "case_id": case,
        "leaves": [{"event": log.lines[i].decode("utf-8"), "index": i,
                    "path": [h.hex() for h in paths[i]]} for i in sorted(wanted)],
    }


def prove_consistency(source: Source, *, old_size: int, old_root: bytes,
                      old_checkpoint: str | None = None, checkpoint: str | None = None,
                      jobs: int | None = None) -> dict[str, Any]:
    """A proof that the log extends an earlier export whose tree had ``old_size`` events and
    root ``old_root`` (refused when its first ``old_size`` events are not those)."""
    index = check_log(source, jobs)
    if not 0 < old_size <= index.event_count:
        raise ProofError(f"the earlier export has {old_size} events, this log "
                         f"{index.event_count}: it cannot extend it")
    log = read_leaves(source.lines())
    if checkpoint is not None:
        check_tree(log.tree, checkpoint=checkpoint)
    if log.leaves.root(0, old_size) != old_root:
        raise ProofError(f"this log does not extend the earlier export: the root of its first "
                         f"{old_size} events is not the earlier root (events were changed or "
                         f"removed)")
    return {
        "format": PROOF_FORMAT, "format_version": PROOF_VERSION, "kind": "consistency",
        "old_size": old_size, "old_root": old_root.hex(), "old_checkpoint": old_checkpoint,
        "tree_size": log.tree.size, "root": log.tree.root.hex(), "checkpoint": checkpoint,
        "path": [h.hex() for h in consistency_path(log.leaves, old_size)],
    }


def proof_bytes(proof: dict[str, Any]) -> bytes:
    """A proof file's bytes: its canonical JSON and a line feed."""
    return canonical_bytes(proof) + b"\n"


@dataclass(frozen=True)
class ProofChecked:
    """What a proof proved."""

    kind: str
    tree_size: int
    root: bytes
    events: int
    signed_by: str | None
    old_size: int | None = None


def _hex32(v: Any, what: str) -> bytes:
    if not isinstance(v, str) or len(v) != 2 * HASH_SIZE:
        raise ProofError(f"{what} is not a 64-hex hash")
    try:
        raw = bytes.fromhex(v)
    except ValueError:
        raise ProofError(f"{what} is not a 64-hex hash") from None
    if raw.hex() != v:
        raise ProofError(f"{what} is not a 64-hex hash in lower case")
    return raw


def _int(v: Any, what: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ProofError(f"{what} is not a non-negative integer")
    return v


def _path(v: Any, what: str) -> list[bytes]:
    if not isinstance(v, list):
        raise ProofError(f"{what} is not a list of hashes")
    return [_hex32(h, f"{what}[{k}]") for k, h in enumerate(v)]


def _check_signed(note: Any, size: int, root: bytes, verifier: Verifier | None,
                  what: str, needed: bool = True) -> str | None:
    if note is None:
        if verifier is not None and needed:
            raise ProofError(f"a key was given but the proof carries no {what}")
        return None
    if not isinstance(note, str):
        raise ProofError(f"the proof's {what} is not text")
    try:
        cp = open_note(note, verifier)
    except InterchangeError as err:
        raise ProofError(f"the proof's {what}: {err}") from None
    if cp.size != size or cp.root != root:
        raise ProofError(f"the proof's {what} names another tree ({cp.size} events, root "
                         f"{cp.root.hex()}) than the proof ({size} events, root {root.hex()})")
    return verifier.name if verifier is not None else None


_INCLUSION_KEYS = {"format", "format_version", "kind", "tree_size", "root", "checkpoint",
                   "case_id", "leaves"}
_CONSISTENCY_KEYS = {"format", "format_version", "kind", "old_size", "old_root",
                     "old_checkpoint", "tree_size", "root", "checkpoint", "path"}


def verify_proof(data: bytes, *, verifier: Verifier | None = None,
                 expect_root: str | None = None) -> ProofChecked:
    """Check a proof file; raise :class:`~ungeforloeb.interchange.errors.ProofError` naming the
    first thing it does not prove. With ``verifier`` its checkpoint(s) must bear that key's valid
    signature; with ``expect_root`` its root must be that one (hex or base64)."""
    try:
        proof = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise ProofError("the proof is not JSON") from None
    if not isinstance(proof, dict) or proof.get("format") != PROOF_FORMAT:
        raise ProofError(f"not a proof file (format {PROOF_FORMAT!r})")
    if proof_bytes(proof) != data:
        raise ProofError("the proof file is not in canonical form (keys sorted, no spaces, one "
                         "line feed at the end): it was changed")
    if proof.get("format_version") != PROOF_VERSION:
        raise ProofError(f"proof format version {proof.get('format_version')!r} is not "
                         f"{PROOF_VERSION}")
    kind = proof.get("kind")
    keys = _INCLUSION_KEYS if kind == "inclusion" else _CONSISTENCY_KEYS \
        if kind == "consistency" else None
    if keys is None:
        raise ProofError("the proof's kind is neither inclusion nor consistency")
    if set(proof) != keys:
        raise ProofError(f"the proof's fields are not {', '.join(sorted(keys))}")
    size = _int(proof["tree_size"], "tree_size")
    root = _hex32(proof["root"], "root")
    if expect_root is not None and root != parse_root(expect_root):
        raise ProofError(f"the proof's root {root.hex()} is not the root recorded at export")
    signed_by = _check_signed(proof["checkpoint"], size, root, verifier, "checkpoint")
    if kind == "consistency":
        old_size = _int(proof["old_size"], "old_size")
        old_root = _hex32(proof["old_root"], "old_root")
        # the earlier export may have been unsigned: then its root is the one the proof states
        # (and the auditor compares it with the root recorded then)
        _check_signed(proof["old_checkpoint"], old_size, old_root, verifier, "old_checkpoint",
                      needed=False)
        if not verify_consistency(old_size, size, old_root, root, _path(proof["path"], "path")):
            raise ProofError(f"the consistency proof does not show the tree of {old_size} "
                             f"events (root {old_root.hex()}) a prefix of the tree of {size}")
        return ProofChecked("consistency", size, root, 0, signed_by, old_size)
    leaves = proof["leaves"]
    if not isinstance(leaves, list) or not leaves:
        raise ProofError("the proof has no leaves")
    named: set[Any] = set()
    for k, leaf in enumerate(leaves):
        named |= _check_leaf(leaf, k, size, root)
    case_id = proof["case_id"]
    if case_id is not None and case_id not in named:
        raise ProofError(f"no event of the proof names the case {case_id!r}")
    return ProofChecked("inclusion", size, root, len(leaves), signed_by)


def _check_leaf(leaf: Any, k: int, size: int, root: bytes) -> set[Any]:
    """Check one leaf; return the ids its event names (its stream, its young person)."""
    if not isinstance(leaf, dict) or set(leaf) != {"event", "index", "path"}:
        raise ProofError(f"leaf {k}: its fields are not event, index, path")
    i = _int(leaf["index"], f"leaf {k}: index")
    event = leaf["event"]
    if not isinstance(event, str):
        raise ProofError(f"leaf {k}: event is not text")
    raw = event.encode("utf-8")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ProofError(f"leaf {k}: its event is not JSON") from None
    if not isinstance(obj, dict) or canonical_bytes(obj) != raw or obj.get("kind") != "event" \
            or "hash" in obj:
        raise ProofError(f"leaf {k}: its event is not an event line's canonical bytes "
                         f"without hash")
    what = f"event {obj.get('seq')} ({obj.get('type')})"
    if obj.get("seq") != i + 1:
        raise ProofError(f"leaf {k}: {what} stands at index {i}, not at its seq − 1")
    path = _path(leaf["path"], f"leaf {k}: path")
    if root_from_inclusion(i, size, leaf_hash(raw), path) != root:
        raise ProofError(f"{what} is not proved in the tree of {size} events with root "
                         f"{root.hex()}: the event or its path was changed")
    payload = obj.get("payload")
    young = payload.get("young_person_id") if isinstance(payload, dict) else None
    return {obj.get("stream_id"), young}
