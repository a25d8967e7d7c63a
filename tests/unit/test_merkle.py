"""The Merkle tree over a log's events: RFC 6962 roots, inclusion and consistency proofs that
round-trip, and fail when any byte of the proof or the leaf is changed."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ungeforloeb.interchange.merkle import (
    EMPTY_ROOT,
    Leaves,
    TreeBuilder,
    consistency_path,
    event_leaf_data,
    inclusion_paths,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def mth(data: list[bytes]) -> bytes:
    """RFC 6962 §2.1's definition, recursively (the reference)."""
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def leaves_of(data: list[bytes]) -> Leaves:
    leaves = Leaves()
    for d in data:
        leaves.append(leaf_hash(d))
    return leaves


def test_rfc6962_vectors() -> None:
    # the empty tree, one leaf of no bytes, and two leaves (certificate-transparency-go's
    # merkle tests: the first two of its eight-leaf test data)
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == \
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    t = TreeBuilder()
    t.append(leaf_hash(b""))
    t.append(leaf_hash(b"\x00"))
    assert t.root().hex() == "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_the_streamed_root_is_rfc6962s(data: list[bytes]) -> None:
    t = TreeBuilder()
    for d in data:
        t.append(leaf_hash(d))
    assert t.root() == mth(data) == leaves_of(data).root()


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    data = draw(st.lists(st.binary(min_size=1, max_size=6), min_size=1, max_size=40))
    return data, draw(st.integers(0, len(data) - 1))


@settings(max_examples=150)
@given(tree_and_index(), st.data())
def test_inclusion_round_trips_and_any_flipped_byte_fails(
        case: tuple[list[bytes], int], draw: st.DataObject) -> None:
    data, i = case
    root = mth(data)
    path = inclusion_paths(leaves_of(data), [i])[i]
    leaf = leaf_hash(data[i])
    assert verify_inclusion(i, len(data), leaf, path, root)
    # a flipped byte of the event, of a proof hash, or of the root: refused
    bad = bytearray(data[i])
    pos = draw.draw(st.integers(0, len(bad) - 1))
    bad[pos] ^= draw.draw(st.integers(1, 255))
    assert not verify_inclusion(i, len(data), leaf_hash(bytes(bad)), path, root)
    if path:
        k = draw.draw(st.integers(0, len(path) - 1))
        p = bytearray(path[k])
        p[draw.draw(st.integers(0, 31))] ^= draw.draw(st.integers(1, 255))
        assert not verify_inclusion(i, len(data), leaf, [*path[:k], bytes(p), *path[k + 1:]],
                                    root)
        assert not verify_inclusion(i, len(data), leaf, path[:-1], root)
    assert not verify_inclusion(i, len(data), leaf, [*path, root], root)



@settings(max_examples=150)
@given(st.lists(st.binary(max_size=6), min_size=1, max_size=40), st.data())
def test_consistency_round_trips_and_any_flipped_byte_fails(
        data: list[bytes], draw: st.DataObject) -> None:
    n = len(data)
    m = draw.draw(st.integers(1, n))
    leaves = leaves_of(data)
    old, new = mth(data[:m]), mth(data)
    path = consistency_path(leaves, m)
    assert verify_consistency(m, n, old, new, path)
    if path:
        k = draw.draw(st.integers(0, len(path) - 1))
        p = bytearray(path[k])
        p[draw.draw(st.integers(0, 31))] ^= draw.draw(st.integers(1, 255))
        assert not verify_consistency(m, n, old, new, [*path[:k], bytes(p), *path[k + 1:]])
    flipped = bytearray(old)
    flipped[draw.draw(st.integers(0, 31))] ^= 1
    assert not verify_consistency(m, n, bytes(flipped), new, path)
    # an old tree that is not a prefix (one of its leaves changed) has no proof
    j = draw.draw(st.integers(0, m - 1))
    changed = [*data[:j], data[j] + b"x", *data[j + 1:]]
    assert not verify_consistency(m, n, mth(changed[:m]), new, path)


def test_an_event_lines_leaf_is_its_bytes_without_the_hash() -> None:
    line = b'{"hash":"' + b"a" * 64 + b'","kind":"event","seq":1}\n'
    assert event_leaf_data(line) == b'{"kind":"event","seq":1}'
    assert node_hash(b"a" * 32, b"b" * 32) == \
        hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
