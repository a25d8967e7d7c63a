"""The Merkle tree over a log's event lines (RFC 6962 / RFC 9162 section 2.1 hashing).

A leaf is one event line: its hash is SHA-256(0x00 ‖ the line's canonical bytes without its
``hash`` member) — the same bytes the hash chain hashes, so two exports of the same events have
the same leaves whatever their header says (the chain's ``hash`` member depends on the header's
export time). An inner node is SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits at the
largest power of two below n, and the empty tree's root is SHA-256 of nothing.

:class:`TreeBuilder` computes the root while the lines stream past, holding one hash per set bit
of the count (O(log n)). :func:`inclusion_paths` and :func:`consistency_path` make the proofs
from the leaf hashes (32 bytes an event); :func:`verify_inclusion` and
:func:`verify_consistency` check them with the algorithms of RFC 9162 sections 2.1.3.2 and
2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_EVENT_PREFIX: Final = b'{"hash":"'
_HASH_END: Final = len(_EVENT_PREFIX) + 64


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes | bytearray, right: bytes | bytearray) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def event_leaf_data(line: bytes) -> bytes:
    """An event line's leaf data: its canonical bytes without the ``hash`` member (and without
    the line feed). ``line`` must be a checked, canonical event line: in its sorted keys
    ``hash`` comes first, so the line starts with ``{"hash":"<64 hex>",``."""
    if not line.startswith(_EVENT_PREFIX) or line[_HASH_END:_HASH_END + 2] != b'",':
        raise ValueError("not a canonical event line (it must start with its hash member)")
    end = len(line) - 1 if line.endswith(b"\n") else len(line)
    return b"{" + line[_HASH_END + 2:end]


def event_leaf_hash(line: bytes) -> bytes:
    """The leaf hash of a canonical event line (see :func:`event_leaf_data`), hashed in place
    (no copy of the line)."""
    if not line.startswith(_EVENT_PREFIX) or line[_HASH_END:_HASH_END + 2] != b'",':
        raise ValueError("not a canonical event line (it must start with its hash member)")
    end = len(line) - 1 if line.endswith(b"\n") else len(line)
    h = hashlib.sha256(b"\x00{")
    h.update(memoryview(line)[_HASH_END + 2:end])
    return h.digest()


class TreeBuilder:
    """The root of a tree whose leaves are appended one at a time, in O(log n) memory: it keeps
    the roots of the perfect subtrees the leaves so far make (one per set bit of the count)."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        """Add a leaf by its hash (:func:`leaf_hash`)."""
        self.size += 1
        stack = self._stack
        stack.append(leaf)
        n = self.size
        while not n & 1:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            n >>= 1

    def root(self) -> bytes:
        """The root over the leaves so far (RFC 6962's MTH)."""
        stack = self._stack
        if not stack:
            return EMPTY_ROOT
        h = stack[-1]
        for left in reversed(stack[:-1]):
            h = node_hash(left, h)
        return h


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root of the tree over these leaf hashes."""
    tree = TreeBuilder()
    for leaf in leaves:
        tree.append(leaf)
    return tree.root()


class Leaves:
    """Leaf hashes, 32 bytes each in one buffer (a list of bytes objects would take twice the
    memory)."""

    def __init__(self, data: bytes | bytearray = b"") -> None:
        self._data = bytearray(data)

    def append(self, leaf: bytes) -> None:
        self._data += leaf

    def __len__(self) -> int:
        return len(self._data) // HASH_SIZE

    def __getitem__(self, i: int) -> bytes:
        return bytes(self._data[i * HASH_SIZE:(i + 1) * HASH_SIZE])

    def root(self, lo: int = 0, hi: int | None = None) -> bytes:
        """The root of the subtree over leaves ``lo`` … ``hi - 1``."""
        hi = len(self) if hi is None else hi
        return root_of(self[i] for i in range(lo, hi))


def _next_level(level: bytearray) -> bytearray:
    out = bytearray()
    n = len(level) // HASH_SIZE
    for k in range(0, n - 1, 2):
        out += node_hash(level[k * HASH_SIZE:(k + 1) * HASH_SIZE],
                         level[(k + 1) * HASH_SIZE:(k + 2) * HASH_SIZE])
    if n % 2:
        out += level[(n - 1) * HASH_SIZE:]
    return out


def inclusion_paths(leaves: Leaves, indices: Sequence[int]) -> dict[int, list[bytes]]:
    """The audit path (RFC 9162 section 2.1.3.1, leaf's sibling first) of each leaf index, all
    made in one pass up the tree: the level above is the pairs of this level hashed, a last odd node
    carried up as it is (the same tree as RFC 6962's split at the largest power of two)."""
    n = len(leaves)
    for i in indices:
        if not 0 <= i < n:
            raise ValueError(f"leaf index {i} is outside a tree of {n} leaves")
    paths: dict[int, list[bytes]] = {i: [] for i in indices}
    level = bytearray(leaves._data)
    depth = 0
    while len(level) > HASH_SIZE:
        size = len(level) // HASH_SIZE
        for i in paths:
            sibling = (i >> depth) ^ 1
            if sibling < size:
                paths[i].append(bytes(level[sibling * HASH_SIZE:(sibling + 1) * HASH_SIZE]))
        level = _next_level(level)
        depth += 1
    return paths


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def consistency_path(leaves: Leaves, old_size: int) -> list[bytes]:
    """The consistency proof (RFC 9162 section 2.1.4.1) that the tree of the first
    ``old_size`` leaves is a prefix of the tree over all of them."""
    n = len(leaves)
    if not 0 < old_size <= n:
        raise ValueError(f"a consistency proof needs 0 < old size <= {n}, got {old_size}")
    if old_size == n:
        return []
    return _subproof(leaves, old_size, 0, n, True)


def _subproof(leaves: Leaves, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [leaves.root(lo, hi)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof(leaves, m, lo, lo + k, whole), leaves.root(lo + k, hi)]
    return [*_subproof(leaves, m - k, lo + k, hi, False), leaves.root(lo, lo + k)]


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root an audit path leads to from a leaf (RFC 9162 section 2.1.3.2), or ``None`` when the
    path cannot belong to a tree of this size."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if len(p) != HASH_SIZE or sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes],
                     root: bytes) -> bool:
    """Whether the audit path leads from the leaf to ``root``."""
    return root_from_inclusion(index, size, leaf, path) == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       path: Sequence[bytes]) -> bool:
    """Whether ``path`` proves the tree of ``old_size`` leaves (root ``old_root``) a prefix of
    the tree of ``new_size`` leaves (root ``new_root``) (RFC 9162 section 2.1.4.2)."""
    if not 0 < old_size <= new_size or any(len(p) != HASH_SIZE for p in path):
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    proof = list(path)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        proof.insert(0, old_root)
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
