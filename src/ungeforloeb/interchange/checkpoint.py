"""Signed checkpoints of a log: the C2SP tlog-checkpoint in a C2SP signed note, Ed25519.

A checkpoint is the text::

    <origin>
    <tree size: the number of event lines>
    <base64 of the Merkle root over the event lines (merkle.py)>
    ungeforloeb-trailer <the trailer line's hash, hex>

and a signed note appends a blank line and one signature line per key,
``— <key name> <base64(key id ‖ Ed25519 signature of the text above the blank line)>``, where
the key id is the first four bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key). The
extension line binds the checkpoint to the whole log: the trailer's hash chains the header
(regimes, export time), every event and the trailer (verdict digest). Keys are written as the
Go ``golang.org/x/mod/sumdb/note`` package writes them: ``<name>+<key id, 8 hex>+<base64(0x01 ‖
public key)>`` for the verifier key, ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`` for
the signer key, so the note tools of the transparency-log world read them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ungeforloeb.interchange.errors import (
    CheckpointError,
    KeyFileError,
    RootMismatchError,
    SignatureError,
)
from ungeforloeb.interchange.merkle import HASH_SIZE, TreeBuilder, event_leaf_hash

ED25519: Final = b"\x01"
TRAILER_EXTENSION: Final = "ungeforloeb-trailer"
_NAME = re.compile(r"^[^\s+]{1,64}$")
_DASH: Final = "\u2014 "


def key_id(name: str, public: bytes) -> bytes:
    """The four-byte key id of a named Ed25519 public key (C2SP signed-note)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key that checks signatures."""

    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def text(self) -> str:
        """``<name>+<key id hex>+<base64(0x01 ‖ public key)>``."""
        return f"{self.name}+{self.id.hex()}+{_b64(ED25519 + self.public)}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not _NAME.match(parts[0]):
            raise KeyFileError("a verifier key reads <name>+<8 hex>+<base64 key>")
        name, hex_id, b64 = parts
        try:
            raw = _unb64(b64)
        except (binascii.Error, ValueError):
            raise KeyFileError("the verifier key's key part is not base64") from None
        if len(raw) != 33 or raw[:1] != ED25519:
            raise KeyFileError("the verifier key is not an Ed25519 key (0x01 and 32 bytes)")
        verifier = cls(name, raw[1:])
        if verifier.id.hex() != hex_id.lower():
            raise KeyFileError(f"the verifier key's id {hex_id} does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs checkpoints."""

    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not _NAME.match(name):
            raise KeyFileError("a key name is 1–64 characters without spaces or '+'")
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return cls(name, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> Verifier:
        return Verifier(self.name,
                        self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def text(self) -> str:
        """``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ seed)>``."""
        return f"PRIVATE+KEY+{self.name}+{self.verifier().id.hex()}+{_b64(ED25519 + self.seed)}"

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _NAME.match(parts[2]):
            raise KeyFileError("a signer key reads PRIVATE+KEY+<name>+<8 hex>+<base64 key>")
        try:
            raw = _unb64(parts[4])
        except (binascii.Error, ValueError):
            raise KeyFileError("the signer key's key part is not base64") from None
        if len(raw) != 33 or raw[:1] != ED25519:
            raise KeyFileError("the signer key is not an Ed25519 key (0x01 and 32 bytes)")
        signer = cls(parts[2], raw[1:])
        if signer.verifier().id.hex() != parts[3].lower():
            raise KeyFileError(f"the signer key's id {parts[3]} does not match its key")
        return signer

    def sign(self, message: bytes) -> bytes:
        return self._key().sign(message)


def read_signer(path: str | Path) -> Signer:
    return Signer.parse(_read_key(path))


def read_verifier(path: str | Path) -> Verifier:
    return Verifier.parse(_read_key(path))


def _read_key(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a key file (not ASCII)") from None


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint: origin, tree size, root hash, and the trailer's hash."""

    origin: str
    size: int
    root: bytes
    trailer_hash: str

    def body(self) -> str:
        return (f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"
                f"{TRAILER_EXTENSION} {self.trailer_hash}\n")

    def sign(self, signer: Signer) -> str:
        """The signed note: the body, a blank line, the signature line."""
        body = self.body()
        sig = signer.sign(body.encode())
        return f"{body}\n{_DASH}{signer.name} {_b64(signer.verifier().id + sig)}\n"

    @classmethod
    def parse_body(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not lines[0]:
            raise CheckpointError(None, "the checkpoint does not read origin, size, root hash")
        origin, size, root = lines[0], lines[1], lines[2]
        if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
            raise CheckpointError(None, "the checkpoint's tree size is not a decimal number",
                                  got=size)
        try:
            raw = _unb64(root)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != HASH_SIZE:
            raise CheckpointError(None, "the checkpoint's root hash is not 32 bytes in base64",
                                  got=root)
        trailer = [ln.split(" ", 1)[1] for ln in lines[3:-1]
                   if ln.startswith(TRAILER_EXTENSION + " ")]
        if len(trailer) != 1 or not re.fullmatch(r"[0-9a-f]{64}", trailer[0]):
            raise CheckpointError(None, f"the checkpoint has no '{TRAILER_EXTENSION} <hex>' line")
        return cls(origin, int(size), raw, trailer[0])


def split_note(text: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """A signed note's text and its signatures (name, key id, signature)."""
    head, sep, tail = text.rpartition("\n\n")
    if not sep or not tail.endswith("\n"):
        raise CheckpointError(None, "the checkpoint is not a signed note (text, blank line, "
                                    "signature lines)")
    sigs = []
    for line in tail[:-1].split("\n"):
        name, _, b64 = line.removeprefix(_DASH).partition(" ")
        try:
            raw = _unb64(b64) if line.startswith(_DASH) else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) < 5:
            raise CheckpointError(None, "a signature line does not read '— <name> <base64>'")
        sigs.append((name, raw[:4], raw[4:]))
    return head + "\n", sigs


def open_note(text: str, verifier: Verifier | None) -> Checkpoint:
    """The checkpoint of a signed note; with a verifier, only if it bears that key's valid
    signature (:class:`SignatureError` otherwise)."""
    body, sigs = split_note(text)
    if verifier is not None:
        mine = [s for n, i, s in sigs if n == verifier.name and i == verifier.id]
        if not mine:
            raise SignatureError(None, f"the checkpoint bears no signature of key "
                                       f"{verifier.name} ({verifier.id.hex()})")
        if not any(verifier.verify(body.encode(), s) for s in mine):
            raise SignatureError(None, f"the checkpoint's signature by {verifier.name} is not "
                                       f"valid: its text was changed after signing")
    return Checkpoint.parse_body(body)


@dataclass(frozen=True)
class LogTree:
    """A log's tree: the number of event lines, their Merkle root and the trailer's hash."""

    size: int
    root: bytes
    trailer_hash: str


def log_tree(lines: Iterable[bytes]) -> LogTree:
    """The Merkle tree of a checked log's lines (header, events, trailer), streamed."""
    tree = TreeBuilder()
    last: bytes | None = None
    first = True
    for line in lines:
        if first:
            first = False
            continue
        if last is not None:
            tree.append(event_leaf_hash(last))
        last = line
    if last is None:
        raise CheckpointError(None, "the log has no trailer")
    return LogTree(tree.size, tree.root(), str(orjson.loads(last)["hash"]))


def parse_root(text: str) -> bytes:
    """A root hash given as 64 hex digits or as base64 (as in the checkpoint)."""
    t = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", t):
        return bytes.fromhex(t)
    try:
        raw = _unb64(t)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != HASH_SIZE:
        raise RootMismatchError(None, "the expected root is neither 64 hex digits nor 32 "
                                      "bytes in base64", got=text)
    return raw


def check_tree(tree: LogTree, *, checkpoint: str | None = None,
               verifier: Verifier | None = None, expect_root: str | None = None) -> None:
    """Check a log's tree against a signed checkpoint (its signature by ``verifier`` when
    given) and against a root the auditor recorded; raise the first mismatch."""
    if expect_root is not None:
        expected = parse_root(expect_root)
        if tree.root != expected:
            raise RootMismatchError(
                None, "the Merkle root of the log's events is not the root recorded at export: "
                      "events were changed, added or removed", field="root",
                expected=expected.hex(), got=tree.root.hex())
    if verifier is not None and checkpoint is None:
        raise CheckpointError(None, "a key was given but the log has no checkpoint to check")
    if checkpoint is not None:
        cp = open_note(checkpoint, verifier)
        if cp.size != tree.size:
            raise CheckpointError(None, "the log's event count is not the signed tree size",
                                  field="size", expected=str(cp.size), got=tree.size)
        if cp.root != tree.root:
            raise CheckpointError(
                None, "the Merkle root of the log's events is not the signed root: events were "
                      "changed after signing", field="root", expected=cp.root.hex(),
                got=tree.root.hex())
        if cp.trailer_hash != tree.trailer_hash:
            raise CheckpointError(
                None, "the log's trailer is not the signed trailer: the header or the trailer "
                      "was changed after signing", field="trailer", expected=cp.trailer_hash,
                got=tree.trailer_hash)
