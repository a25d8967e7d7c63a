"""JSON Schema of the core's attrs classes, for the OpenAPI document.

The core's messages and projections are attrs classes (not pydantic models); this describes
them as they travel in JSON (dates as ``YYYY-MM-DD``, enumerations by their codes), inline,
from their type hints, so the document follows the code.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import attrs

from ungeforloeb_http.fields import DATE_REGEX


def json_schema(tp: Any, patterns: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON Schema of values of type ``tp`` in this API's JSON (``patterns``: the pattern
    of a string field by its name, for request bodies)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [json_schema(a, patterns) for a in args]}
    if origin in (tuple, list):
        return {"type": "array", "items": json_schema(args[0], patterns) if args else {}}
    if origin is dict:
        return {"type": "object"}
    if tp is type(None):
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if tp is date:
        return {"type": "string", "format": "date",
                **({"pattern": DATE_REGEX} if patterns is not None else {})}
    if tp is UUID:
        return {"type": "string", "format": "uuid"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp], "description": tp.__doc__ or tp.__name__}
    if isinstance(tp, type) and attrs.has(tp):
        return attrs_schema(tp, patterns=patterns)
    return {}


def attrs_schema(cls: type[Any], *, tag: str | None = None,
                 patterns: dict[str, str] | None = None) -> dict[str, Any]:
    """An object schema for the attrs class ``cls`` (unknown keys refused); with ``tag``, a
    required ``"type"`` member whose value is ``tag`` (a tagged union's member); with
    ``patterns``, string fields named there carry their pattern and dates the API's range."""
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    if tag is not None:
        properties["type"] = {"type": "string", "enum": [tag]}
        required.append("type")
    for field in attrs.fields(cls):
        schema = json_schema(hints[field.name], patterns)
        if patterns and field.name in patterns:
            schema = _with_pattern(schema, patterns[field.name])
        properties[field.name] = schema
        if field.default is attrs.NOTHING:
            required.append(field.name)
    doc = " ".join((cls.__doc__ or "").split())
    return {"title": cls.__name__, "description": doc, "type": "object",
            "properties": properties, "required": required, "additionalProperties": False}


def _with_pattern(schema: dict[str, Any], pattern: str) -> dict[str, Any]:
    """``schema`` with ``pattern`` on its string type (inside an ``anyOf`` with null too)."""
    if schema.get("type") == "string":
        return {**schema, "pattern": pattern}
    if "anyOf" in schema:
        return {**schema, "anyOf": [_with_pattern(s, pattern) for s in schema["anyOf"]]}
    return schema
