"""Keys for personal data: the master key, the keys derived from it, and per-person data keys.

One **master key** (32 bytes) is configured per store. From it HKDF derives two sub-keys:

- the **lookup key**: HMAC-SHA256 of a CPR number under it is the only form in which a CPR
  number is searchable (``person_identity.cpr_lookup``); the CPR number itself is never a column;
- the **wrapping key**: each young person has their own random 256-bit **data key**, stored
  wrapped (AES-GCM, the person's id as associated data) in ``person_key``.

A person's data key seals their identity record (CPR number, name) and the personal fields of
their events (the birth date). Deleting the wrapped data key (erasure) makes all of it
unreadable for good, in the store and in every backup of it (crypto-shredding).

Where the master key comes from (:func:`master_key`):

1. ``UNGEFORLOEB_PERSONAL_DATA_KEY`` — 32 bytes, URL-safe base64 (``python -c "import base64,
   os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"``), in the environment or the
   application's settings mapping; or ``UNGEFORLOEB_PERSONAL_DATA_KEY_FILE`` naming a file that
   holds it. This is the production set-up: keep the key outside the database (a secret store).
2. Otherwise, for a SQLite file: a key file ``<file>.key`` beside it, created (mode 0600) with a
   random key on first use. Convenient for a laptop and the demo; the file must be kept (and
   backed up) with the store, or every identity and birth date in it is lost.
3. Otherwise, for an in-memory store: a random key for the life of the process.

A PostgreSQL store without a configured key keeps a generated master key in a table of its
schema (``<name>_master_key``): for development and tests only, since a key stored in the
database it protects gives no protection at rest (erasure still shreds: the per-person keys are
deleted).

The wrapping step is pluggable: :class:`KeyWrapper` is the interface an HSM or a cloud KMS
implements (``wrap``/``unwrap`` a data key for a person); :class:`LocalKeyWrapper` does it with
the derived wrapping key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SETTING = "UNGEFORLOEB_PERSONAL_DATA_KEY"
KEY_FILE_SETTING = "UNGEFORLOEB_PERSONAL_DATA_KEY_FILE"
NONCE_BYTES = 12


class KeyConfigurationError(OSError):
    """Raised when the master key is missing or malformed (the message names the setting)."""


class KeyUnavailableError(LookupError):
    """Raised when a sealed value cannot be opened: its key was erased or does not fit."""


def new_data_key() -> bytes:
    """A fresh random 256-bit data key for one young person."""
    return AESGCM.generate_key(bit_length=256)


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"ungeforloeb/" + purpose).derive(master)


def seal(key: bytes, person_id: UUID, purpose: str, plaintext: bytes) -> bytes:
    """AES-GCM: nonce followed by ciphertext and tag; the person's id and the purpose are bound
    in as associated data (a sealed value moved to another person or field does not open)."""
    nonce = os.urandom(NONCE_BYTES)
    aad = person_id.bytes + purpose.encode()
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, person_id: UUID, purpose: str, sealed: bytes) -> bytes:
    """Open what :func:`seal` made, or raise :class:`KeyUnavailableError`."""
    aad = person_id.bytes + purpose.encode()
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise KeyUnavailableError(f"a sealed {purpose} of a young person does not open with "
                                  "the key given") from None


class KeyWrapper(Protocol):
    """Wraps and unwraps a young person's data key (the plug point for an HSM or a KMS)."""

    def wrap(self, person_id: UUID, data_key: bytes) -> bytes: ...

    def unwrap(self, person_id: UUID, wrapped: bytes) -> bytes: ...


class LocalKeyWrapper:
    """Wraps data keys with AES-GCM under a key derived from the master key."""

    def __init__(self, master: bytes) -> None:
        self._key = _derive(master, b"wrap-data-key/v1")

    def wrap(self, person_id: UUID, data_key: bytes) -> bytes:
        return seal(self._key, person_id, "data-key", data_key)

    def unwrap(self, person_id: UUID, wrapped: bytes) -> bytes:
        return open_sealed(self._key, person_id, "data-key", wrapped)


class Keys:
    """The keys of one store: the CPR lookup and the wrapping of per-person data keys."""

    def __init__(self, master: bytes, wrapper: KeyWrapper | None = None) -> None:
        if len(master) != 32:
            raise KeyConfigurationError(f"{KEY_SETTING}: the master key must be 32 bytes, "
                                        f"got {len(master)}")
        self._lookup = _derive(master, b"cpr-lookup/v1")
        self.wrapper: KeyWrapper = wrapper or LocalKeyWrapper(master)

    def cpr_lookup(self, cpr: str) -> str:
        """The keyed hash under which a (normalised) CPR number is found; hex."""
        return hmac.new(self._lookup, cpr.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never print key material
        return "Keys(<hidden>)"


def _decode_key(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(f"{where}: not URL-safe base64") from None
    if len(raw) != 32:
        raise KeyConfigurationError(f"{where}: the key must be 32 bytes, got {len(raw)}")
    return raw


def encode_key(raw: bytes) -> str:
    """The text form of a key (URL-safe base64)."""
    return base64.urlsafe_b64encode(raw).decode()


def master_key(get: Callable[[str], Any], *, sqlite_file: str | None, in_memory: bool,
               stored: Callable[[bytes], bytes] | None = None) -> bytes:
    """The store's master key, from the settings (``get``), a key file, or made anew (see the
    module's docstring for the order)."""
    configured = get(KEY_SETTING)
    if configured:
        return _decode_key(str(configured), KEY_SETTING)
    key_file = get(KEY_FILE_SETTING)
    if key_file:
        try:
            text = Path(str(key_file)).read_text()
        except OSError as e:
            raise KeyConfigurationError(f"{KEY_FILE_SETTING}: cannot read the key file "
                                        f"({e.strerror})") from None
        return _decode_key(text, KEY_FILE_SETTING)
    if sqlite_file is not None:
        return _key_file_beside(Path(sqlite_file + ".key"))
    if in_memory:
        return new_data_key()
    if stored is not None:
        return stored(new_data_key())
    raise KeyConfigurationError(f"no personal-data key configured: set {KEY_SETTING} (32 bytes, "
                                f"URL-safe base64) or {KEY_FILE_SETTING}")


def _key_file_beside(path: Path) -> bytes:
    """Read the key file, or create it with a random key (0600) if there is none. Made whole
    in a temporary file and linked into place, so a reader never sees half a key and two
    processes starting together end up with one key."""
    if path.exists():
        return _decode_key(path.read_text(), str(path))
    raw = new_data_key()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(encode_key(raw) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first: use theirs
            return _decode_key(path.read_text(), str(path))
    except OSError as e:
        raise KeyConfigurationError(f"cannot create the key file {path} ({e.strerror}); set "
                                    f"{KEY_SETTING}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return raw
