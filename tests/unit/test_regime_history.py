"""Every regime file version the library has shipped stays available by its bytes.

An exported log names the SHA-256 of each regime file it was judged by; the auditor's pack
(interchange/pack.py) re-judges the log with exactly those bytes. A regime file corrected in
place (a citation verified later) would otherwise leave every log judged by its earlier bytes
unpackable. Given the packaged regime files and ``regimes/superseded/``,
then every version listed in ``shipped.txt`` is held, and every current file is listed.
"""

from __future__ import annotations

import hashlib

import pytest

from ungeforloeb.interchange.pack import PackError, regime_files_of
from ungeforloeb.rules.loader import packaged_files, shipped_hashes, superseded_files


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def test_every_current_regime_file_is_listed_as_shipped() -> None:
    shipped = shipped_hashes()
    for name, raw in packaged_files():
        assert _sha(raw) in shipped.get(name, frozenset()), (
            f"regime file {name} has bytes this library has not listed as shipped: if it was "
            f"edited, keep its earlier bytes in regimes/superseded/ (<name>.<sha256[:16]>.toml) "
            f"and add '{name} {_sha(raw)}' to regimes/superseded/shipped.txt")


def test_every_shipped_version_is_held_and_found_by_its_hash() -> None:
    held = {(name, _sha(raw)) for name, raw in [*packaged_files(), *superseded_files()]}
    for name, hashes in shipped_hashes().items():
        for digest in hashes:
            assert (name, digest) in held, f"{name} {digest[:16]}… is listed but not held"
            [(found, raw)] = regime_files_of({"r": digest})
            assert found == name and _sha(raw) == digest


def test_a_superseded_file_is_named_by_its_hash_and_is_not_a_current_file() -> None:
    current = {_sha(raw) for _, raw in packaged_files()}
    for name, raw in superseded_files():
        assert _sha(raw) not in current, f"{name}: a current file is also kept as superseded"
    from importlib import resources

    folder = resources.files("ungeforloeb.rules") / "regimes" / "superseded"
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            _stem, prefix, _ = entry.name.split(".")
            assert _sha(entry.read_bytes()).startswith(prefix), entry.name


def test_a_hash_no_version_has_is_refused_naming_it() -> None:
    with pytest.raises(PackError, match="which this library does not hold"):
        regime_files_of({"from_2020": "0" * 64})
