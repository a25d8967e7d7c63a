"""Events as plain JSON and back: per event class, the fields whose JSON form differs from Python.

An event's stored state and its interchange payload are plain JSON: dates as ISO 8601 strings,
enums as their values, UUIDs as strings. :func:`codec` lists, for one event class, how to turn
those JSON values back into the types its annotations name. The store's mapper and the log's
importer both use it (see :mod:`ungeforloeb.application.mapper`,
:mod:`ungeforloeb.interchange.importer`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

Decoder = Callable[[Any], Any]


def _decoder_for(tp: Any) -> Decoder | None:
    """A function turning the JSON value back into ``tp``; ``None`` when no change is needed."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = _decoder_for(args[0]) if len(args) == 1 else None
        if optional is None:
            return None
        return lambda v: None if v is None else optional(v)
    if origin is tuple:
        (item, *_) = typing.get_args(tp)
        inner = _decoder_for(item)
        if inner is None:
            return tuple
        return lambda v: tuple(inner(x) for x in v)
    if tp is date:
        return date.fromisoformat
    if tp is datetime:
        return datetime.fromisoformat
    if tp is UUID:
        return UUID
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    return None


@cache
def codec(cls: type[Any]) -> tuple[tuple[str, Decoder], ...]:
    """Per-class list of (field, decoder) for fields whose JSON form differs from Python."""
    hints = typing.get_type_hints(cls)
    out = []
    for name, tp in hints.items():
        if name in ("originator_id", "originator_version", "timestamp"):
            continue
        dec = _decoder_for(tp)
        if dec is not None:
            out.append((name, dec))
    return tuple(out)
