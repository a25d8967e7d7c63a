"""The interchange log's line shapes, canonical bytes and hash chain (see docs/interchange.md).

A log is JSON Lines in UTF-8: one header line, one line per event, one trailer line. Every line
is written in its *canonical form* — the JSON object with its keys sorted, no insignificant
whitespace, non-ASCII characters as UTF-8 (orjson with ``OPT_SORT_KEYS``; for the value types a
log holds this is RFC 8785's JSON Canonicalization Scheme) — followed by a line feed.

Every line carries ``hash``: the SHA-256 (lower-case hex) of the previous line's hash (ASCII)
followed by this line's canonical bytes *without* its ``hash`` key. The header's previous hash
is the empty string. Changing any byte of any line therefore breaks the chain at that line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

import orjson

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.catalogue import EVENT_TYPES

FORMAT_NAME: Final = "ungeforloeb-interchange"
FORMAT_VERSION: Final = 1
GENESIS_HASH: Final = ""
"""The 'previous hash' of the header line."""

HEADER_FIELDS: Final = frozenset({"kind", "format", "format_version", "library_version",
                                  "exported_at", "municipality_code", "regimes", "hash"})
EVENT_FIELDS: Final = frozenset({"kind", "seq", "stream_id", "stream_type", "version", "type",
                                 "schema_version", "occurred_on", "recorded_at", "recorded_by",
                                 "payload", "hash"})
TRAILER_FIELDS: Final = frozenset({"kind", "event_count", "final_hash", "verdicts_as_of",
                                   "verdict_digest", "hash"})


def canonical_bytes(obj: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of a line's object (keys sorted, no whitespace, UTF-8)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def chain_hash(previous: str, body: bytes) -> str:
    """SHA-256 hex of the previous line's hash (ASCII) followed by this line's canonical bytes
    without its ``hash`` key."""
    return hashlib.sha256(previous.encode("ascii") + body).hexdigest()


def seal(obj: dict[str, Any], previous: str) -> tuple[bytes, str]:
    """Add the chained ``hash`` to a line's object; return the line (with ``\\n``) and the hash.
    """
    body = canonical_bytes(obj)
    digest = chain_hash(previous, body)
    obj["hash"] = digest
    return canonical_bytes(obj) + b"\n", digest


def body_without_hash(line_body: bytes, digest: str) -> bytes:
    """A canonical line's bytes without its ``"hash":"…",`` member.

    Valid only for a line already checked to be canonical with a 64-hex ``hash``: in every line
    shape ``hash`` is followed by ``kind``, and a JSON string cannot contain the unescaped
    sequence ``"hash":"``, so the first occurrence is the member itself.
    """
    return line_body.replace(b'"hash":"' + digest.encode("ascii") + b'",', b"", 1)


def format_datetime(value: datetime) -> str:
    """A date-time in the log's form: ISO 8601 in UTC with ``+00:00`` (as orjson writes it)."""
    return orjson.dumps(value.astimezone(UTC)).decode()[1:-1]


def header(*, library_version: str, exported_at: datetime, municipality_code: str | None,
           regimes: Mapping[str, str]) -> dict[str, Any]:
    """The header line's object (without ``hash``)."""
    return {
        "kind": "header",
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": library_version,
        "exported_at": format_datetime(exported_at),
        "municipality_code": municipality_code,
        "regimes": dict(regimes),
    }


def event(rec: EventRecord, seq: int) -> dict[str, Any]:
    """An event line's object (without ``hash``) for a record at the current schema version."""
    return {
        "kind": "event",
        "seq": seq,
        "stream_id": rec.stream_id,
        "stream_type": rec.stream_type,
        "version": rec.version,
        "type": rec.type,
        "schema_version": EVENT_TYPES[rec.type].schema_version,
        "occurred_on": rec.occurred_on.isoformat(),
        "recorded_at": rec.recorded_at,
        "recorded_by": rec.recorded_by,
        "payload": rec.payload,
    }


def trailer(*, event_count: int, final_hash: str, verdicts_as_of: date,
            verdict_digest: str) -> dict[str, Any]:
    """The trailer line's object (without ``hash``)."""
    return {
        "kind": "trailer",
        "event_count": event_count,
        "final_hash": final_hash,
        "verdicts_as_of": verdicts_as_of.isoformat(),
        "verdict_digest": verdict_digest,
    }
