"""Strict field types for requests: JSON as written, never coerced.

FastAPI validates a body as Python data (after ``json.loads``), where pydantic's strict mode
would refuse a date or a UUID written as a string. So each type here takes exactly the JSON
form and nothing else: a date only as ``"YYYY-MM-DD"``, a UUID only as a string, an
enumeration only by its stored code (``"preliminary"``, ``1``), a boolean only ``true`` or
``false``, a string never from a number.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import (
    BeforeValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

from ungeforloeb.domain.base import ID_PATTERN

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
"""Every date taken is within these days: a case's dates lie in a person's life, and a date
far out (``9999-12-31``) would overflow the deadline arithmetic."""
MAX_STRING = 256
"""The longest string field taken (ids are at most 64 characters, e-mail addresses 254)."""
ID_REGEX = ID_PATTERN.pattern
"""An id (of a caseworker, team, rule): as the domain checks it."""
ACTOR_REGEX = r"^(?!.*(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9]))[a-z0-9][a-z0-9._:-]{0,63}$"
"""The id of a person or team: an id with no run of ten digits (it would look like a CPR
number), as the domain checks it."""
DATE_REGEX = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""A day as this API writes it, within :data:`DATE_MIN` .. :data:`DATE_MAX`."""
DATETIME_REGEX = (r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                  r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
                  r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
"""A moment with its zone (``2024-12-31T23:00:00+00:00``)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def iso_date(value: object) -> date:
    """A calendar day from its JSON form ``YYYY-MM-DD`` (anything else is refused)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("expected a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("expected a real calendar day written YYYY-MM-DD") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"expected a day from {DATE_MIN} to {DATE_MAX}")
    return day


def iso_datetime(value: object) -> datetime:
    """A moment with its zone from its JSON form (``2024-12-31T23:00:00+00:00``, ``…Z``)."""
    if not isinstance(value, str) or not re.fullmatch(DATETIME_REGEX, value):
        raise ValueError("expected a date-time with a zone, e.g. 2024-12-31T23:00:00+00:00, "
                         f"from {DATE_MIN} to {DATE_MAX}")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected a real date-time with a zone") from None


def uuid_string(value: object) -> UUID:
    """A UUID from its JSON form, a string of 36 characters (8-4-4-4-12 hex digits)."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise ValueError("expected a UUID string (8-4-4-4-12 hex digits)")
    return UUID(value)


def enum_code(enum: type[Enum]) -> Callable[[object], Enum]:
    """A member of ``enum`` from its stored code (its value), of the code's own JSON type."""
    codes = {m.value: m for m in enum}
    shown = ", ".join(repr(c) for c in codes)

    def check(value: object) -> Enum:
        if isinstance(value, Enum) and value in enum:  # a default, already a member
            return value
        if type(value) not in (str, int) or value not in codes or \
                not any(type(value) is type(c) for c in codes):
            raise ValueError(f"expected one of {shown}")
        return codes[value]

    return check


IsoDate = Annotated[date, BeforeValidator(iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": DATE_REGEX})]
IsoDateTime = Annotated[datetime, BeforeValidator(iso_datetime), WithJsonSchema(
    {"type": "string", "format": "date-time", "pattern": DATETIME_REGEX})]
ShortStr = Annotated[StrictStr, StringConstraints(max_length=MAX_STRING)]
UuidString = Annotated[UUID, BeforeValidator(uuid_string), WithJsonSchema(
    {"type": "string", "format": "uuid", "pattern": "^" + _UUID.pattern + "$"})]


def strict_type(tp: Any) -> Any:
    """The strict request type for a command parameter's annotation ``tp``.

    Raises ``TypeError`` for a type this adapter does not know, so that a new command with a
    new kind of argument fails when the app is built, not when it is called."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return strict_type(args[0]) | None
        raise TypeError(f"unsupported union {tp!r}")
    if tp is bool:
        return StrictBool
    if tp is str:
        return ShortStr
    if tp is int:
        return StrictInt
    if tp is date:
        return IsoDate
    if tp is UUID:
        return UuidString
    if isinstance(tp, type) and issubclass(tp, Enum):
        return Annotated[tp, BeforeValidator(enum_code(tp))]
    raise TypeError(f"no strict request type for {tp!r}")


def only_params(*names: str) -> Callable[[Request], None]:
    """A dependency refusing query parameters other than ``names`` (422, like a body's)."""
    allowed = frozenset(names)

    def check(request: Request) -> None:
        unknown = [k for k in request.query_params if k not in allowed]
        if unknown:
            raise RequestValidationError([
                {"type": "extra_forbidden", "loc": ("query", k), "msg": "unknown parameter"}
                for k in unknown])

    return check
