"""The JSON Schema (draft 2020-12) of one log line, generated from the event catalogue.

The shipped file ``schema/log.schema.json`` is this function's output; a test keeps the two
equal. The schema describes each line's shape; what JSON Schema cannot say (canonical bytes,
the hash chain, sequence and stream versions, references, the trailer's count) is checked by
``verify`` and specified in docs/interchange.md. Regenerate the file
(and the event table in docs/interchange.md) with ``python -m ungeforloeb.interchange.lineschema``.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from ungeforloeb.domain.base import ID_PATTERN
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.domain.upcast import payload_fields, readable_versions
from ungeforloeb.interchange.format import FORMAT_NAME, FORMAT_VERSION
from ungeforloeb.interchange.reader import CODE, CPR_LIKE, FIELD_PATTERNS, HEX64, REGIME_ID

SCHEMA_FILE = "log.schema.json"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00$"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _field(name: str, tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return {"oneOf": [{"type": "null"}, _field(name, inner)]}
    if origin is tuple:
        (item, *_) = typing.get_args(tp)
        return {"type": "array", "uniqueItems": True, "items": _field(name, item)}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:
        pattern = FIELD_PATTERNS.get(name, (CODE, ""))[0].pattern
        return {"type": "string", "pattern": pattern, "not": {"pattern": CPR_LIKE.pattern}}
    if tp is date:
        return _ref("date")
    if tp is datetime:
        return _ref("datetime")
    if tp is UUID:
        return _ref("uuid")
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp]}
    raise TypeError(f"payload field {name}: unsupported type {tp}")


def _payload(type_name: str, version: int) -> dict[str, Any]:
    fields = payload_fields(type_name, version) or ()
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [n for n, _ in fields],
        "properties": {n: _field(n, tp) for n, tp in fields},
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema of a log line (header, event or trailer)."""
    hex64 = {"type": "string", "pattern": HEX64.pattern}
    variants = []
    for name, entry in EVENT_TYPES.items():
        for version in readable_versions(name):
            variants.append({
                "properties": {
                    "type": {"const": name},
                    "schema_version": {"const": version},
                    "stream_type": {"const": entry.stream_type},
                    "payload": _payload(name, version),
                },
            })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ungeforloeb:interchange:log:{FORMAT_VERSION}",
        "title": f"One line of an {FORMAT_NAME} log, format version {FORMAT_VERSION}",
        "description": "JSON Lines: line 1 is the header, the last line the trailer, every line "
                       "between an event. See docs/interchange.md for the canonical form, the "
                       "hash chain and the checks beyond this schema.",
        "oneOf": [_ref("header"), _ref("event"), _ref("trailer")],
        "$defs": {
            "hex64": hex64,
            "date": {"type": "string", "format": "date", "pattern": DATE},
            "datetime": {"type": "string", "format": "date-time", "pattern": DATETIME},
            "uuid": {"type": "string", "format": "uuid", "pattern": UUID_RE},
            "header": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "format", "format_version", "library_version",
                             "exported_at", "municipality_code", "regimes", "hash"],
                "properties": {
                    "kind": {"const": "header"},
                    "format": {"const": FORMAT_NAME},
                    "format_version": {"const": FORMAT_VERSION},
                    "library_version": {"type": "string", "pattern": r"^[0-9A-Za-z.+-]{1,40}$"},
                    "exported_at": _ref("datetime"),
                    "municipality_code": {"oneOf": [{"type": "null"},
                                                    {"type": "string",
                                                     "pattern": r"^[0-9]{3}$"}]},
                    "regimes": {"type": "object", "propertyNames": {"pattern": REGIME_ID.pattern},
                                "additionalProperties": _ref("hex64")},
                    "hash": _ref("hex64"),
                },
            },
            "event": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "seq", "stream_id", "stream_type", "version", "type",
                             "schema_version", "occurred_on", "recorded_at", "recorded_by",
                             "payload", "hash"],
                "properties": {
                    "kind": {"const": "event"},
                    "seq": {"type": "integer", "minimum": 1},
                    "stream_id": _ref("uuid"),
                    "stream_type": {"enum": sorted({e.stream_type for e in EVENT_TYPES.values()})},
                    "version": {"type": "integer", "minimum": 1},
                    "type": {"enum": list(EVENT_TYPES)},
                    "schema_version": {"type": "integer", "minimum": 1},
                    "occurred_on": _ref("date"),
                    "recorded_at": _ref("datetime"),
                    "recorded_by": {"type": "string", "pattern": ID_PATTERN.pattern,
                                    "not": {"pattern": CPR_LIKE.pattern}},
                    "payload": {"type": "object"},
                    "hash": _ref("hex64"),
                },
                "oneOf": variants,
            },
            "trailer": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "event_count", "final_hash", "verdicts_as_of",
                             "verdict_digest", "hash"],
                "properties": {
                    "kind": {"const": "trailer"},
                    "event_count": {"type": "integer", "minimum": 0},
                    "final_hash": _ref("hex64"),
                    "verdicts_as_of": _ref("date"),
                    "verdict_digest": _ref("hex64"),
                    "hash": _ref("hex64"),
                },
            },
        },
    }


def _type_text(name: str, tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _type_text(name, inner) + " or null"
    if origin is tuple:
        (item, *_) = typing.get_args(tp)
        return "list of " + _type_text(name, item)
    if tp is bool:
        return "boolean"
    if tp is int:
        return "integer"
    if tp is str:
        return {"municipality_code": "3 digits", "institution_id": "6 digits"}.get(name, "code")
    if tp is date:
        return "date"
    if tp is datetime:
        return "date-time"
    if tp is UUID:
        return "uuid"
    if isinstance(tp, type) and issubclass(tp, Enum):
        return " \\| ".join(f"`{m.value}`" for m in tp)
    raise TypeError(f"payload field {name}: unsupported type {tp}")


def catalogue_markdown() -> str:
    """The event catalogue as the Markdown table in docs/interchange.md (a test compares)."""
    rows = ["| type | stream_type | schema_version | payload fields |", "|---|---|---|---|"]
    for name, entry in EVENT_TYPES.items():
        for version in readable_versions(name):
            fields = payload_fields(name, version) or ()
            text = "; ".join(f"`{n}`: {_type_text(n, tp)}" for n, tp in fields) or "(none)"
            rows.append(f"| `{name}` | `{entry.stream_type}` | {version} | {text} |")
    return "\n".join(rows) + "\n"


def render() -> bytes:
    """The schema as the shipped file's bytes (indented, keys in a stable order)."""
    return orjson.dumps(build_schema(), option=orjson.OPT_INDENT_2) + b"\n"


def shipped() -> bytes:
    """The schema file shipped inside the package."""
    return (resources.files("ungeforloeb.interchange") / "schema" / SCHEMA_FILE).read_bytes()


def _regenerate() -> None:  # pragma: no cover - maintainer's helper
    """Write the schema file and, in a source checkout, the event table of the docs."""
    Path(__file__).with_name("schema").joinpath(SCHEMA_FILE).write_bytes(render())
    docs = Path(__file__).parents[3] / "docs" / "interchange.md"
    if docs.is_file():
        text = docs.read_text(encoding="utf-8")
        begin, end = "<!-- catalogue:begin -->\n", "<!-- catalogue:end -->"
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        docs.write_text(head + begin + catalogue_markdown() + end + tail, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    _regenerate()
